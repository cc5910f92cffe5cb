# Reference values for evalexp.integrity outcomes / compliance / subgroups (helper D2).
# Data: survival::colon (a randomised trial), exported in tests/reference/data/colon.csv.
# Run from the repository root:  Rscript tests/reference/integrity/effects_colon.R
# Writes tests/reference/integrity/effects_colon.json and the analysis set it used,
# tests/reference/integrity/effects_colon_data.csv (the Python tests read that file).
#
# Derived analysis set (the Python tests build exactly the same columns):
#   rows etype == 2 (death) of arms "Obs" (control) and "Lev+5FU" (treatment)
#   treated = rx == "Lev+5FU"; time_days = time; event = status
#   dead_5y  = 1 if death by day 1826, 0 if alive after day 1826, NA if censored before
#   recur_2y = same with the recurrence rows (etype == 1) and day 730
#   site = id %% 20 (a fixed grouping, to exercise the cluster-robust CR2 formula)
#   support_received = 1 - obstruct in the treated arm, perfor in the control arm
#   age_band = "< median" / ">= median" of age (the median of the analysis set)
#   dead_1y = 1 if death by day 365 (nobody is censored before day 453)
suppressMessages({library(survival); library(estimatr); library(jsonlite)})
colon <- read.csv("tests/reference/data/colon.csv")
d <- subset(colon, etype == 2 & rx != "Lev")
r <- subset(colon, etype == 1 & rx != "Lev")
r <- r[match(d$id, r$id), ]
d$treated <- as.integer(d$rx == "Lev+5FU")
d$dead_5y <- ifelse(d$status == 1 & d$time <= 1826, 1, ifelse(d$time > 1826, 0, NA))
d$recur_2y <- ifelse(r$status == 1 & r$time <= 730, 1, ifelse(r$time > 730, 0, NA))
d$site <- d$id %% 20
d$support_received <- ifelse(d$treated == 1, 1 - d$obstruct, d$perfor)
med <- median(d$age)
d$age_band <- ifelse(d$age < med, "< median", ">= median")
d$dead_1y <- as.integer(d$status == 1 & d$time <= 365)
write.csv(data.frame(id = d$id, treated = d$treated, time_days = d$time, event = d$status,
                     dead_5y = d$dead_5y, recur_2y = d$recur_2y, dead_1y = d$dead_1y, age = d$age,
                     sex = d$sex, node4 = d$node4, extent = d$extent, site = d$site,
                     support_received = d$support_received, age_band = d$age_band),
          "tests/reference/integrity/effects_colon_data.csv", row.names = FALSE, na = "")
z <- qnorm(0.975)

est <- function(e, se) list(estimate = e, se = se, ci_low = e - z * se, ci_high = e + z * se,
                            p_value = 2 * pnorm(-abs(e / se)))
out <- list(n = nrow(d), age_median = med)

for (y in c("dead_5y", "recur_2y")) {
  f <- as.formula(paste(y, "~ treated"))
  dm <- difference_in_means(f, data = d)
  obs <- d[!is.na(d[[y]]), ]
  lin <- lm_lin(f, covariates = ~ age + sex + node4 + factor(extent), data = d, se_type = "HC2")
  lin_cr2 <- lm_lin(f, covariates = ~ age + sex + node4 + factor(extent), data = d,
                    clusters = site, se_type = "CR2")
  lr_cr2 <- lm_robust(f, data = d, clusters = site, se_type = "CR2")
  lg <- summary(glm(f, family = binomial, data = d))$coefficients
  iv <- iv_robust(as.formula(paste(y, "~ support_received | treated")), data = d, se_type = "HC2")
  iv0 <- iv_robust(as.formula(paste(y, "~ support_received | treated")), data = d, se_type = "HC0")
  fs <- lm_robust(support_received ~ treated, data = obs, se_type = "HC2")
  iv_cr2 <- iv_robust(as.formula(paste(y, "~ support_received | treated")), data = d,
                      clusters = site, se_type = "CR2")
  fs_cr2 <- lm_robust(support_received ~ treated, data = obs, clusters = site, se_type = "CR2")
  out[[y]] <- list(
    # difference_in_means(dead_5y ~ treated, data = d): HC2 = Neyman SE; CI/p recomputed normal
    treatment = mean(obs[[y]][obs$treated == 1]), control = mean(obs[[y]][obs$treated == 0]),
    n_treatment = sum(obs$treated == 1), n_control = sum(obs$treated == 0),
    dim = est(unname(dm$coefficients), unname(dm$std.error)),
    # lm_lin(y ~ treated, covariates = ~ age + sex + node4 + factor(extent), se_type = "HC2")
    lin_hc2 = est(unname(coef(lin)["treated"]), unname(lin$std.error["treated"])),
    # same with clusters = site, se_type = "CR2"
    lin_cr2 = est(unname(coef(lin_cr2)["treated"]), unname(lin_cr2$std.error["treated"])),
    # lm_robust(y ~ treated, clusters = site, se_type = "CR2")
    dim_cr2 = est(unname(coef(lr_cr2)["treated"]), unname(lr_cr2$std.error["treated"])),
    # glm(y ~ treated, family = binomial): Wald log odds ratio
    log_or = unname(lg["treated", "Estimate"]), log_or_se = unname(lg["treated", "Std. Error"]),
    # iv_robust(y ~ support_received | treated, se_type = "HC2" / "HC0")
    cace = est(unname(coef(iv)["support_received"]), unname(iv$std.error["support_received"])),
    cace_hc0_se = unname(iv0$std.error["support_received"]),
    # lm_robust(support_received ~ treated, data = observed, se_type = "HC2")
    first_stage = est(unname(coef(fs)["treated"]), unname(fs$std.error["treated"])),
    # iv_robust(..., clusters = site, se_type = "CR2"); lm_robust(support_received ~ treated, CR2)
    cace_cr2 = est(unname(coef(iv_cr2)["support_received"]), unname(iv_cr2$std.error["support_received"])),
    first_stage_cr2_se = unname(fs_cr2$std.error["treated"])
  )
}
# CR2 when clusters coincide with dummies (I - H_gg singular: estimatr uses a pseudo-inverse)
sing <- lm_robust(dead_5y ~ treated + factor(extent), data = d, clusters = extent, se_type = "CR2")
out$cr2_singular_se <- unname(sing$std.error)

p <- c(out$dead_5y$dim$p_value, out$recur_2y$dim$p_value)
out$p_holm <- p.adjust(p, method = "holm")
out$p_bh <- p.adjust(p, method = "BH")

# first stage on the whole analysis set
fs <- lm_robust(support_received ~ treated, data = d, se_type = "HC2")
out$first_stage <- c(est(unname(coef(fs)["treated"]), unname(fs$std.error["treated"])),
                     list(treatment = mean(d$support_received[d$treated == 1]),
                          control = mean(d$support_received[d$treated == 0]),
                          se_cr2 = unname(lm_robust(support_received ~ treated, data = d, clusters = site,
                                                    se_type = "CR2")$std.error["treated"])))

# KM risk of death by day 1826 per arm (Greenwood), for the survival ITT and CACE
for (h in c(1826, 365)) {
  km <- summary(survfit(Surv(time, status) ~ treated, data = d), times = h)
  risk <- 1 - km$surv; v <- km$std.err^2
  out[[paste0("km_", h)]] <- list(control = risk[1], treatment = risk[2],
                                  var_control = v[1], var_treatment = v[2])
}
# Uncensored-by-horizon check: outcome 1(T <= 365) is observed for everybody (min censoring 453)
iv1 <- iv_robust(dead_1y ~ support_received | treated, data = d, se_type = "HC0")
out$cace_dead_1y_hc0 <- list(estimate = unname(coef(iv1)["support_received"]),
                             se = unname(iv1$std.error["support_received"]))

# Subgroups: Cox (Efron) per level and interaction Wald test; converged tightly (R stops at a
# relative log-likelihood change of 1e-9 by default, leaving ~1e-7 in the coefficients)
ctl <- coxph.control(eps = 1e-12, toler.chol = 1e-14, iter.max = 100)
sub <- list()
for (v in c("sex", "node4", "age_band")) {
  lev <- sort(unique(d[[v]]))
  per <- list()
  for (l in lev) {
    s <- d[d[[v]] == l, ]
    fit <- coxph(Surv(time, status) ~ treated, data = s, ties = "efron", control = ctl)
    kmh <- summary(survfit(Surv(time, status) ~ treated, data = s), times = 1826)
    per[[as.character(l)]] <- list(
      n_treatment = sum(s$treated == 1), n_control = sum(s$treated == 0),
      events_treatment = sum(s$status[s$treated == 1]), events_control = sum(s$status[s$treated == 0]),
      log_hr = unname(coef(fit)), se = unname(sqrt(vcov(fit))[1]),
      risk_treatment = 1 - kmh$surv[2], risk_control = 1 - kmh$surv[1],
      var_treatment = kmh$std.err[2]^2, var_control = kmh$std.err[1]^2)
  }
  d$g <- factor(d[[v]])
  full <- coxph(Surv(time, status) ~ treated * g, data = d, ties = "efron", control = ctl)
  idx <- grep(":", names(coef(full)))
  b <- coef(full)[idx]; V <- vcov(full)[idx, idx, drop = FALSE]
  w <- as.numeric(t(b) %*% solve(V) %*% b)
  fullc <- coxph(Surv(time, status) ~ treated * g, data = d, ties = "efron", cluster = site, control = ctl)
  bc <- coef(fullc)[idx]; Vc <- vcov(fullc)[idx, idx, drop = FALSE]
  wc <- as.numeric(t(bc) %*% solve(Vc) %*% bc)
  fulls <- coxph(Surv(time, status) ~ treated * g + strata(extent), data = d, ties = "efron", control = ctl)
  bs <- coef(fulls)[idx]; Vs <- vcov(fulls)[idx, idx, drop = FALSE]
  ws <- as.numeric(t(bs) %*% solve(Vs) %*% bs)
  sub[[v]] <- list(levels = per, wald = w, df = length(idx), p_value = pchisq(w, length(idx), lower.tail = FALSE),
                   wald_cluster = wc, p_cluster = pchisq(wc, length(idx), lower.tail = FALSE),
                   wald_strata = ws, p_strata = pchisq(ws, length(idx), lower.tail = FALSE))
}
out$subgroups <- sub
write_json(out, "tests/reference/integrity/effects_colon.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
