# Reference values for tests/survival/test_covariate_adjusted.py, produced with R 4.2,
# survival 3.5 and RobinCar2 0.2.3.9000 (built from its repository: R CMD INSTALL <RobinCar2>;
# not in Debian). Run from the repository root:
#   Rscript tests/reference/adjusted/make_reference.R
# (with R_LIBS pointing at the library where RobinCar2 is installed, if not the default).
# Writes tests/reference/adjusted/reference.json and exports carData::Rossi to
# tests/reference/data/rossi.csv (colon and veteran are exported by ../survival/make_reference.R).
#
# Each case: robin_surv(Surv(time, event) ~ covariates [+ strata(s)], data,
#   treatment = treated ~ sr(1) | pb(s), contrast = "hazardratio",
#   control = surv_control(tol = 1e-13))   -- RobinCar2's default uniroot tolerance
#   (.Machine$double.eps^0.25) leaves ~1e-4 relative error on the log HR.
# Stored: the log HR and its SE ($estimate, $se), the log-rank z ($test_stat) and p ($p_value);
# and, without covariates, survdiff's chi-square and coxph(ties = "breslow")'s estimate and SE.
suppressPackageStartupMessages({library(survival); library(jsonlite); library(RobinCar2)})
options(digits = 17)
datadir <- "tests/reference/data"
rossi_path <- file.path(datadir, "rossi.csv")
if (!file.exists(rossi_path)) write.csv(carData::Rossi, rossi_path, row.names = FALSE, na = "")

# colon: death (etype 2), Lev+5FU vs Obs; age, sex, nodes numeric, extent categorical; strata node4
col <- read.csv(file.path(datadir, "colon.csv"))
col <- col[col$etype == 2 & col$rx %in% c("Obs", "Lev+5FU"), ]
col$treated <- factor(as.integer(col$rx == "Lev+5FU"))
col$extent <- factor(col$extent)
col$node4 <- factor(col$node4)
col <- col[complete.cases(col[c("time", "status", "age", "sex", "nodes", "extent", "node4")]), ]
col$event <- col$status

# colon recurrence (etype 1), same contrast: covariates obstruct, differ categorical; strata surg
rec <- read.csv(file.path(datadir, "colon.csv"))
rec <- rec[rec$etype == 1 & rec$rx %in% c("Obs", "Lev+5FU"), ]
rec$treated <- factor(as.integer(rec$rx == "Lev+5FU"))
rec$differ <- factor(rec$differ)
rec$surg <- factor(rec$surg)
rec <- rec[complete.cases(rec[c("time", "status", "age", "obstruct", "differ", "surg")]), ]
rec$event <- rec$status

# Rossi: re-arrest (weekly times, many ties), financial aid (randomised) yes vs no;
# age, prio numeric, race and wexp categorical; strata mar
ros <- read.csv(rossi_path)
ros$treated <- factor(as.integer(ros$fin == "yes"))
ros$time <- ros$week
ros$event <- ros$arrest
ros$race <- factor(ros$race)
ros$wexp <- factor(ros$wexp)
ros$mar <- factor(ros$mar)

# veteran: trt 2 vs 1; karno, age numeric, celltype categorical; strata prior
vet <- read.csv(file.path(datadir, "veteran.csv"))
vet$treated <- factor(as.integer(vet$trt == 2))
vet$event <- vet$status
vet$celltype <- factor(vet$celltype)
vet$prior <- factor(vet$prior)

cases <- list(
  list(name = "colon_death", data = col, covariates = c("age", "sex", "nodes", "extent"), strata = "node4"),
  list(name = "colon_recurrence", data = rec, covariates = c("age", "obstruct", "differ"), strata = "surg"),
  list(name = "rossi", data = ros, covariates = c("age", "prio", "race", "wexp"), strata = "mar"),
  list(name = "veteran", data = vet, covariates = c("karno", "age", "celltype"), strata = "prior")
)

run <- function(d, covariates, strata, scheme) {
  rhs <- if (length(covariates)) paste(covariates, collapse = " + ") else "1"
  if (!is.null(strata)) rhs <- paste0(rhs, " + strata(", strata, ")")
  f <- as.formula(paste("Surv(time, event) ~", rhs))
  trt <- if (scheme == "permuted_blocks") as.formula(paste0("treated ~ pb(", strata, ")")) else treated ~ sr(1)
  fit <- robin_surv(f, data = d, treatment = trt, contrast = "hazardratio",
                    control = surv_control(tol = 1e-13, maxiter = 10000))
  out <- list(call = paste0("robin_surv(", deparse(f), ", treatment = ", deparse(trt),
                            ", contrast = \"hazardratio\", control = surv_control(tol = 1e-13))"),
              covariates = covariates, strata = strata, randomization = scheme,
              log_hr = fit$estimate, se = fit$se, z = fit$test_stat, p_value = fit$p_value, n = nrow(fit$data))
  if (!length(covariates)) {
    sf <- if (is.null(strata)) "" else paste0(" + strata(", strata, ")")
    sd <- survdiff(as.formula(paste0("Surv(time, event) ~ treated", sf)), data = d)
    cx <- coxph(as.formula(paste0("Surv(time, event) ~ treated", sf)), data = d, ties = "breslow",
                control = coxph.control(eps = 1e-14, iter.max = 100))
    out$survdiff_chisq <- sd$chisq
    out$coxph_breslow_log_hr <- unname(coef(cx))
    out$coxph_breslow_se <- unname(sqrt(diag(vcov(cx))))
  }
  out
}

results <- list()
for (case in cases) {
  d <- case$data
  for (cov in list(character(), case$covariates)) {
    for (st in list(NULL, case$strata)) {
      schemes <- if (is.null(st)) "simple" else c("simple", "permuted_blocks")
      for (scheme in schemes) {
        key <- paste(case$name, if (length(cov)) "cov" else "nocov", if (is.null(st)) "nostrata" else "strata",
                     scheme, sep = "/")
        results[[key]] <- c(list(dataset = case$name), run(d, cov, st, scheme))
      }
    }
  }
}
meta <- list(R = R.version.string, survival = as.character(packageVersion("survival")),
             RobinCar2 = as.character(packageVersion("RobinCar2")))
writeLines(toJSON(list(meta = meta, cases = results), auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           "tests/reference/adjusted/reference.json")
