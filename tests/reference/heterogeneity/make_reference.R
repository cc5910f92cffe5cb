# Reference values for evalexp.heterogeneity (tests/heterogeneity/test_reference.py).
# R 4.2, survival 3.5, metafor 3.8. Run from the repository root:
#   Rscript tests/reference/heterogeneity/make_reference.R
# Writes cgd_first.csv (the data of (b)) and reference.json.
#
# (a) bcg: metafor's dat.bcg (13 BCG vaccine trials, log risk ratios from escalc("RR")):
#     the meta-analysis numerics alone.
# (b) cgd: survival::cgd, the randomised trial of gamma interferon in chronic granulomatous
#     disease (13 centres), time to the first infection (enum == 1 rows: tstop, status);
#     horizon 180 days. Centres without an infection in an arm are excluded (6 of 13).
# (c) sim20: a simulated 20-site cohort (evalexp.heterogeneity.simulate_sites(k = 20,
#     n_per_site = 80, tau2 = 0.15, seed = 20261204), committed as sim20.csv), with a
#     two-level stratum crossed with the site in the interaction model; horizon 365 days.
#
# For (b) and (c): per site coxph(Surv(time, event) ~ treated, ties = "efron") and
# summary(survfit(Surv(time, event) ~ treated), times = horizon) (1 - surv, std.err);
# rma(yi, sei = se, method = "REML", test = "knha", control = list(threshold = 1e-10)),
# predict() and blup(); the interaction test: Wald chi-square of the treated:factor(site)
# coefficients of coxph(Surv(time, event) ~ treated * factor(site) [+ strata(stratum)]) on the
# sites that enter. (d) sim20_region: the same test on sim20 stratified by region (sites S01-S05
# form R0, S06-S10 R1, ...), where four site dummies of each region are aliased with the strata
# (NA in R).
suppressMessages({library(survival); library(metafor); library(jsonlite)})
dir <- "tests/reference/heterogeneity"
ctl <- coxph.control(eps = 1e-12, toler.chol = 1e-14, iter.max = 100)
mctl <- list(threshold = 1e-10, maxiter = 1000)

meta <- function(yi, se, labels) {
  r <- rma(yi = yi, sei = se, method = "REML", test = "knha", control = mctl)
  p <- predict(r)
  b <- blup(r)
  list(call = "rma(yi, sei = se, method = 'REML', test = 'knha', control = list(threshold = 1e-10))",
       k = r$k, tau2 = r$tau2, i2 = r$I2, h2 = r$H2, q = r$QE, q_df = r$k - 1, q_p_value = r$QEp,
       mu = as.numeric(r$beta), se = r$se, ci_low = r$ci.lb, ci_high = r$ci.ub, p_value = r$pval,
       pi_low = p$pi.lb, pi_high = p$pi.ub, labels = labels,
       blup = b$pred, blup_se = b$se, blup_low = b$pi.lb, blup_high = b$pi.ub)
}

interaction <- function(form, d) {
  fit <- coxph(form, data = d, ties = "efron", control = ctl)
  idx <- grep("^treated:", names(coef(fit)))
  b <- coef(fit)[idx]; V <- vcov(fit)[idx, idx, drop = FALSE]
  w <- as.numeric(t(b) %*% solve(V) %*% b)
  list(call = paste(deparse(form), collapse = ""), statistic = w, df = length(idx),
       p_value = pchisq(w, length(idx), lower.tail = FALSE), aliased = names(coef(fit))[is.na(coef(fit))])
}

sites <- function(d, strata, horizon) {
  d$site <- as.character(d$site)
  out <- list()
  for (s in sort(unique(d$site))) {
    x <- d[d$site == s, ]
    ev <- tapply(x$event, factor(x$treated, levels = c(1, 0)), sum)
    n <- table(factor(x$treated, levels = c(1, 0)))
    sf <- summary(survfit(Surv(time, event) ~ treated, data = x), times = horizon, extend = TRUE)
    risk <- setNames(1 - sf$surv, sub("treated=", "", as.character(sf$strata)))
    se_risk <- setNames(sf$std.err, names(risk))
    entry <- list(site = s, n = list(treatment = n[["1"]], control = n[["0"]]),
                  events = list(treatment = ev[["1"]], control = ev[["0"]]),
                  risk_treatment = risk[["1"]], risk_control = risk[["0"]],
                  risk_difference = risk[["1"]] - risk[["0"]],
                  risk_difference_se = sqrt(se_risk[["1"]]^2 + se_risk[["0"]]^2))
    if (min(ev) > 0) {
      fit <- coxph(Surv(time, event) ~ treated, data = x, ties = "efron", control = ctl)
      entry$log_hr <- unname(coef(fit)); entry$se <- unname(sqrt(vcov(fit)[1, 1]))
    }
    out[[length(out) + 1]] <- entry
  }
  entering <- Filter(function(e) !is.null(e$log_hr), out)
  labels <- vapply(entering, function(e) e$site, "")
  m <- meta(vapply(entering, function(e) e$log_hr, 0), vapply(entering, function(e) e$se, 0), labels)
  dd <- d[d$site %in% labels, ]
  form <- if (is.null(strata)) Surv(time, event) ~ treated * factor(site) else
    Surv(time, event) ~ treated * factor(site) + strata(stratum)
  list(horizon = horizon, sites = out, meta = m, interaction = interaction(form, dd))
}

bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
ref <- list(bcg = c(list(yi = as.numeric(bcg$yi), vi = as.numeric(bcg$vi)),
                    meta(as.numeric(bcg$yi), sqrt(as.numeric(bcg$vi)), as.character(bcg$trial))))

first <- cgd[cgd$enum == 1, ]
cgd_first <- data.frame(site = as.character(first$center), treated = as.integer(first$treat == "rIFN-g"),
                        time = first$tstop, event = first$status)
write.csv(cgd_first, file.path(dir, "cgd_first.csv"), row.names = FALSE)
ref$cgd <- sites(cgd_first, NULL, 180)

sim <- read.csv(file.path(dir, "sim20.csv"))
names(sim)[names(sim) == "time_days"] <- "time"
ref$sim20 <- sites(sim, "stratum", 365)
sim$region <- paste0("R", (as.integer(sub("S", "", sim$site)) - 1) %/% 5)
ref$sim20_region <- list(interaction = interaction(Surv(time, event) ~ treated * factor(site) + strata(region), sim))

write_json(ref, file.path(dir, "reference.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
