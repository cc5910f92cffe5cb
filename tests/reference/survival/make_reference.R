# Reference values for tests/survival, produced with R 4.2 / survival 3.5.
# Run from the repository root:  Rscript tests/reference/survival/make_reference.R
# Writes tests/reference/survival/reference.json and exports the public data sets used
# to tests/reference/data/<name>.csv (only when the file does not exist yet).
suppressPackageStartupMessages({library(survival); library(jsonlite)})
options(digits = 17)
datadir <- "tests/reference/data"
export <- function(df, name) {
  path <- file.path(datadir, paste0(name, ".csv"))
  if (!file.exists(path)) write.csv(df, path, row.names = FALSE, na = "")
}

# Analysis data sets (the Python tests derive the same columns from the exported CSV)
vet <- survival::veteran
export(vet, "veteran")
vet$treated <- as.integer(vet$trt == 2)

col <- survival::colon
export(col, "colon")
col <- col[col$etype == 2 & col$rx != "Lev", ]
col$treated <- as.integer(col$rx == "Lev+5FU")

rats <- survival::rats
export(rats, "rats")
rats$treated <- rats$rx

pbc <- survival::pbc
export(pbc, "pbc")
pbc <- pbc[1:312, ]
pbc$treated <- as.integer(pbc$trt == 2)
pbc$event <- as.integer(pbc$status == 2)

ova <- survival::ovarian
export(ova, "ovarian")
ova$treated <- as.integer(ova$rx == 2)

km_block <- function(fit, times) {
  out <- list()
  strata_names <- if (is.null(fit$strata)) "all" else names(fit$strata)
  for (i in seq_along(strata_names)) {
    f <- if (is.null(fit$strata)) fit else fit[i]
    s <- summary(f, times = times, extend = TRUE)
    tab <- summary(f)$table
    full <- summary(f, censored = TRUE)
    out[[sub(".*=", "arm", strata_names[i])]] <- list(
      times = s$time, surv = s$surv, lower = s$lower, upper = s$upper,
      n_risk = s$n.risk, std_err = s$std.err,
      median = unname(tab["median"]), median_lcl = unname(tab["0.95LCL"]),
      median_ucl = unname(tab["0.95UCL"]),
      table = list(time = f$time, n_risk = f$n.risk, n_event = f$n.event,
                   n_censor = f$n.censor, surv = f$surv,
                   std_err = f$surv * f$std.err, lower = f$lower, upper = f$upper))
  }
  out
}

rmst_block <- function(fit, tau) {
  t <- summary(fit, rmean = tau)$table
  list(rmean = unname(t[, "rmean"]), se = unname(t[, "se(rmean)"]), strata = rownames(t))
}

cox_block <- function(fit) {
  b <- list(coef = unname(coef(fit)), var = unname(fit$var), loglik = fit$loglik,
            score = unname(fit$score), wald = unname(fit$wald.test), n = fit$n,
            nevent = fit$nevent, terms = names(coef(fit)))
  if (!is.null(fit$naive.var)) b$naive_var <- unname(fit$naive.var)
  b
}

zph_block <- function(fit) {
  z <- cox.zph(fit)
  list(chisq = unname(z$table[, "chisq"]), df = unname(z$table[, "df"]),
       p = unname(z$table[, "p"]), rows = rownames(z$table))
}

times_block <- c(30, 90, 180, 365)
ref <- list()

# veteran: unstratified and by celltype; Efron and Breslow; adjusted
fv <- survfit(Surv(time, status) ~ treated, data = vet, conf.type = "log-log")
ref$veteran <- list(
  km = km_block(fv, times_block),
  km_times = times_block,
  rmst = rmst_block(fv, 180), rmst_tau = 180,
  rmst_365 = rmst_block(fv, 365),
  logrank = unname(survdiff(Surv(time, status) ~ treated, data = vet)$chisq),
  logrank_strat = unname(survdiff(Surv(time, status) ~ treated + strata(celltype), data = vet)$chisq),
  cox_efron = cox_block(coxph(Surv(time, status) ~ treated, data = vet, ties = "efron")),
  cox_breslow = cox_block(coxph(Surv(time, status) ~ treated, data = vet, ties = "breslow")),
  cox_strat = cox_block(coxph(Surv(time, status) ~ treated + strata(celltype), data = vet)),
  cox_adj = cox_block(coxph(Surv(time, status) ~ treated + karno + age + prior + diagtime, data = vet)),
  cox_adj_strat = cox_block(coxph(Surv(time, status) ~ treated + karno + age + strata(celltype), data = vet)),
  cox_adj_breslow = cox_block(coxph(Surv(time, status) ~ treated + karno + age, data = vet, ties = "breslow")),
  zph = zph_block(coxph(Surv(time, status) ~ treated, data = vet)),
  zph_adj = zph_block(coxph(Surv(time, status) ~ treated + karno + age, data = vet)),
  zph_strat = zph_block(coxph(Surv(time, status) ~ treated + karno + strata(celltype), data = vet)),
  zph_breslow = zph_block(coxph(Surv(time, status) ~ treated + karno, data = vet, ties = "breslow"))
)

# colon (recurrence-free: etype == 2), Lev+5FU vs Obs; strata extent; adjusted with NA covariates
fc <- survfit(Surv(time, status) ~ treated, data = col, conf.type = "log-log")
ref$colon <- list(
  km = km_block(fc, c(365, 730, 1825)),
  km_times = c(365, 730, 1825),
  rmst = rmst_block(fc, 1825), rmst_tau = 1825,
  logrank = unname(survdiff(Surv(time, status) ~ treated, data = col)$chisq),
  logrank_strat = unname(survdiff(Surv(time, status) ~ treated + strata(extent), data = col)$chisq),
  cox_efron = cox_block(coxph(Surv(time, status) ~ treated, data = col)),
  cox_strat = cox_block(coxph(Surv(time, status) ~ treated + strata(extent), data = col)),
  cox_adj = cox_block(coxph(Surv(time, status) ~ treated + age + sex + nodes + factor(differ), data = col)),
  zph = zph_block(coxph(Surv(time, status) ~ treated, data = col)),
  zph_strat = zph_block(coxph(Surv(time, status) ~ treated + strata(extent), data = col))
)

# rats: litter clusters (robust sandwich)
fr <- survfit(Surv(time, status) ~ treated, data = rats, conf.type = "log-log")
ref$rats <- list(
  km = km_block(fr, c(50, 80, 100)),
  km_times = c(50, 80, 100),
  rmst = rmst_block(fr, 100), rmst_tau = 100,
  logrank = unname(survdiff(Surv(time, status) ~ treated, data = rats)$chisq),
  cox_efron = cox_block(coxph(Surv(time, status) ~ treated, data = rats)),
  cox_cluster = cox_block(coxph(Surv(time, status) ~ treated, cluster = litter, data = rats)),
  cox_cluster_breslow = cox_block(coxph(Surv(time, status) ~ treated, cluster = litter, data = rats, ties = "breslow")),
  cox_cluster_adj_strat = cox_block(coxph(Surv(time, status) ~ treated + strata(sex), cluster = litter, data = rats)),
  zph = zph_block(coxph(Surv(time, status) ~ treated, data = rats))
)

# pbc (first 312, randomised): D-penicillamine vs placebo, death as the event
fp <- survfit(Surv(time, event) ~ treated, data = pbc, conf.type = "log-log")
ref$pbc <- list(
  km = km_block(fp, c(365, 1825, 3650)),
  km_times = c(365, 1825, 3650),
  rmst = rmst_block(fp, 3650), rmst_tau = 3650,
  logrank = unname(survdiff(Surv(time, event) ~ treated, data = pbc)$chisq),
  logrank_strat = unname(survdiff(Surv(time, event) ~ treated + strata(edema), data = pbc)$chisq),
  cox_efron = cox_block(coxph(Surv(time, event) ~ treated, data = pbc)),
  cox_adj = cox_block(coxph(Surv(time, event) ~ treated + age + log(bili) + albumin + edema + sex, data = pbc)),
  cox_adj_cluster = cox_block(coxph(Surv(time, event) ~ treated + age + log(bili), cluster = stage, data = pbc)),
  zph = zph_block(coxph(Surv(time, event) ~ treated, data = pbc)),
  zph_adj = zph_block(coxph(Surv(time, event) ~ treated + age + log(bili) + albumin, data = pbc))
)

# ovarian: tiny, no ties
fo <- survfit(Surv(futime, fustat) ~ treated, data = ova, conf.type = "log-log")
ref$ovarian <- list(
  km = km_block(fo, c(100, 365, 730)),
  km_times = c(100, 365, 730),
  rmst = rmst_block(fo, 730), rmst_tau = 730,
  logrank = unname(survdiff(Surv(futime, fustat) ~ treated, data = ova)$chisq),
  cox_efron = cox_block(coxph(Surv(futime, fustat) ~ treated, data = ova)),
  zph = zph_block(coxph(Surv(futime, fustat) ~ treated, data = ova))
)

ref$meta <- list(R = R.version.string, survival = as.character(packageVersion("survival")))

# The synthetic AGIR demonstration cohort (columns copied from data/synthetic/agir_demo.csv
# to tests/reference/survival/agir_demo_subset.csv): the whole analyze_survival() pipeline,
# with the contract's derivation of time and event from the dates done here independently.
demo <- read.csv("tests/reference/survival/agir_demo_subset.csv", stringsAsFactors = FALSE)
for (v in c("contract_start", "contract_end_planned", "followup_end", "rupture_date"))
  demo[[v]] <- as.Date(ifelse(demo[[v]] == "", NA, demo[[v]]))
demo$end <- pmin(demo$contract_end_planned, demo$followup_end)
demo$event <- as.integer(!is.na(demo$rupture_date) & demo$rupture_date <= demo$end)
demo$time <- as.numeric(ifelse(demo$event == 1, demo$rupture_date, demo$end) - as.numeric(demo$contract_start))
demo$treated <- as.integer(demo$arm == "treatment")
fd <- survfit(Surv(time, event) ~ treated, data = demo, conf.type = "log-log")
cu <- coxph(Surv(time, event) ~ treated + strata(stratum), cluster = site, data = demo)
ca <- coxph(Surv(time, event) ~ treated + age + female + factor(diploma) + strata(stratum), cluster = site, data = demo)
sd <- summary(fd, times = 365, extend = TRUE)
ref_demo <- list(
  km = km_block(fd, c(90, 180, 365)), km_times = c(90, 180, 365),
  logrank_strat = unname(survdiff(Surv(time, event) ~ treated + strata(stratum), data = demo)$chisq),
  cox_unadjusted = cox_block(cu), cox_adjusted = cox_block(ca),
  zph = zph_block(cu),
  rmst = rmst_block(fd, 365),
  risk_365 = list(risk = 1 - sd$surv, se = sd$std.err),
  n = nrow(demo), events = sum(demo$event)
)
ref$agir_demo <- ref_demo
writeLines(toJSON(ref, digits = NA, auto_unbox = TRUE, na = "null", pretty = FALSE),
           "tests/reference/survival/reference.json")
