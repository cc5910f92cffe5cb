# Reference values for tests/competing, produced with R 4.2 / survival 3.5 / cmprsk 2.2.
# Run from the repository root:  Rscript tests/reference/competing/make_reference.R
# Writes tests/reference/competing/reference.json and exports the public data sets used to
# tests/reference/data/<name>.csv (only when the file does not exist yet: pbc.csv is shared).
#
# Data sets (the Python tests derive the same columns from the exported CSV):
#   pbc   first 312 rows (the randomised trial); status 0 censored, 1 transplant, 2 death;
#         group = trt (1 D-penicillamine, 2 placebo); strata = sex.  Days, few ties.
#   mgus2 time = ptime if progression (pstat 1) else futime; status 1 = progression (PCM),
#         2 = death without progression, 0 = censored; group = sex; strata = age >= 70.
#         Months: heavy ties between and within causes.
#   tiny  the hand-computable example of tests/competing/test_cif.py.
# cluster = id %% 25 (an arbitrary grouping, to exercise the cluster-robust cause-specific Cox).
suppressPackageStartupMessages({library(survival); library(cmprsk); library(jsonlite)})
options(digits = 17)
datadir <- "tests/reference/data"
export <- function(df, name) {
  path <- file.path(datadir, paste0(name, ".csv"))
  if (!file.exists(path)) write.csv(df, path, row.names = FALSE, na = "")
}

pbc <- survival::pbc
export(pbc, "pbc")
pbc <- pbc[1:312, ]
pbc <- data.frame(time = pbc$time, status = pbc$status, group = pbc$trt, strata = pbc$sex,
                  cluster = pbc$id %% 25)

mg <- survival::mgus2
export(mg, "mgus2")
mg <- data.frame(time = ifelse(mg$pstat == 0, mg$futime, mg$ptime),
                 status = ifelse(mg$pstat == 0, 2 * mg$death, 1),
                 group = as.integer(mg$sex == "M"), strata = as.integer(mg$age >= 70),
                 cluster = mg$id %% 25)

tiny <- data.frame(time   = c(1, 2, 2, 2, 3, 4, 4, 5, 6, 7),
                   status = c(1, 1, 2, 0, 0, 1, 2, 1, 0, 2),
                   group  = c(0, 1, 0, 1, 0, 1, 0, 1, 0, 1),
                   strata = c(1, 1, 1, 1, 1, 2, 2, 2, 2, 2),
                   cluster = c(1, 2, 3, 1, 2, 3, 1, 2, 3, 1))

reference <- function(d, times, cox = TRUE) {
  out <- list(times = times)
  ci <- cuminc(d$time, d$status, d$group)
  cis <- cuminc(d$time, d$status, d$group, strata = d$strata)
  cir <- cuminc(d$time, d$status, d$group, strata = d$strata, rho = 1)
  tp <- timepoints(ci, times)
  causes <- sort(unique(d$status[d$status != 0]))
  groups <- sort(unique(d$group))
  # survival's multi-state Aalen-Johansen, per group
  ms <- survfit(Surv(time, factor(status, levels = c(0, causes))) ~ group, data = d)
  for (k in causes) {
    key <- as.character(k)
    cause <- list(
      gray = list(statistic = unname(ci$Tests[key, "stat"]), p_value = unname(ci$Tests[key, "pv"])),
      gray_strata = list(statistic = unname(cis$Tests[key, "stat"]), p_value = unname(cis$Tests[key, "pv"])),
      gray_strata_rho1 = list(statistic = unname(cir$Tests[key, "stat"]), p_value = unname(cir$Tests[key, "pv"])))
    for (g in groups) {
      curve <- ci[[paste(g, k)]]
      rows <- paste(g, k)
      sm <- summary(ms[match(g, groups), ], times = times, extend = TRUE)
      cause[[paste0("group_", g)]] <- list(
        step_time = curve$time, step_est = curve$est, step_var = curve$var,
        at_est = unname(tp$est[rows, ]), at_var = unname(tp$var[rows, ]),
        survfit_pstate = unname(sm$pstate[, match(key, sm$states)]))
    }
    fit <- crr(d$time, d$status, cov1 = d$group, failcode = k)
    tight <- crr(d$time, d$status, cov1 = d$group, failcode = k, gtol = 1e-12)
    cause$crr <- list(coef = unname(fit$coef), se = unname(sqrt(diag(fit$var))),
                      converged = fit$converged)
    cause$crr_tight <- list(coef = unname(tight$coef), se = unname(sqrt(diag(tight$var))))
    # cause-specific Cox (other causes censored), Efron ties: plain, and stratified + clustered
    if (cox) {
      plain <- coxph(Surv(time, status == k) ~ group, data = d, ties = "efron")
      sc <- coxph(Surv(time, status == k) ~ group + strata(strata), data = d, ties = "efron",
                  cluster = cluster)
      cause$cox <- list(coef = unname(coef(plain)), se = unname(sqrt(diag(vcov(plain)))))
      cause$cox_strata_cluster <- list(coef = unname(coef(sc)), se = unname(sqrt(diag(vcov(sc)))))
    }
    out[[paste0("cause_", key)]] <- cause
  }
  out
}

ref <- list(
  versions = list(R = R.version.string, survival = as.character(packageVersion("survival")),
                  cmprsk = as.character(packageVersion("cmprsk"))),
  pbc = reference(pbc, c(365, 730, 1461, 2922, 4000)),
  mgus2 = reference(mg, c(12, 60, 120, 240, 400)),
  tiny = reference(tiny, c(1, 2, 3, 4, 5, 6, 7), cox = FALSE))  # tiny: too small for Cox
two <- crr(mg$time, mg$status, cov1 = cbind(group = mg$group, strata = mg$strata), failcode = 1,
           gtol = 1e-12)
ref$mgus2$crr_two_covariates <- list(coef = unname(two$coef), var = as.vector(two$var))
write_json(ref, "tests/reference/competing/reference.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
