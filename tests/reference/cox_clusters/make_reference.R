# Reference values for tests/survival/test_cox_bcv.py: the bias-corrected sandwich variances of
# R CoxBcv 0.0.1 (Wang, Turner & Li 2023, Biometrical Journal 65(3)), R 4.2 / survival 3.5.
# CoxBcv is on CRAN only:  R CMD INSTALL -l /tmp/rlib_bcv <CoxBcv source folder>  (needs pracma).
# Run from the repository root:  Rscript tests/reference/cox_clusters/make_reference.R
# Writes tests/reference/cox_clusters/reference.json; data: survival's rats and diabetic, exported to
# tests/reference/data/<name>.csv (only when the file does not exist yet).
.libPaths(c("/tmp/rlib_bcv", .libPaths()))
suppressPackageStartupMessages({library(survival); library(jsonlite); library(CoxBcv)})
options(digits = 17)
datadir <- "tests/reference/data"
export <- function(df, name) {
  path <- file.path(datadir, paste0(name, ".csv"))
  if (!file.exists(path)) write.csv(df, path, row.names = FALSE, na = "")
}
rats <- survival::rats
export(rats, "rats")
diab <- survival::diabetic
export(diab, "diabetic")

# CoxBcv indexes clusters by their value: the labels must be 1..G
rats$female <- as.integer(rats$sex == "f")
rats$site10 <- (rats$litter - 1) %/% 10 + 1
diab$argon <- as.integer(diab$laser == "argon")
diab$site12 <- (match(diab$id, sort(unique(diab$id))) - 1) %% 12 + 1

bcv <- function(Y, Delta, X, ID) {
  # CoxBcv.<x>(Y, Delta, X, ID)$outbeta: coef (coxph, Efron ties) and the variance's diagonal
  out <- list(coef = unname(CoxBcv.rob(Y, Delta, X, ID)$outbeta[, 1]))
  out$robust <- unname(CoxBcv.rob(Y, Delta, X, ID)$outbeta[, 3])
  out$md <- unname(CoxBcv.md(Y, Delta, X, ID)$outbeta[, 3])
  out$kc <- unname(CoxBcv.kc(Y, Delta, X, ID)$outbeta[, 3])
  out$fg <- unname(CoxBcv.fg(Y, Delta, X, ID)$outbeta[, 3])
  out
}
ref <- list()
ref$rats_litter <- c(list(data = "rats", covariates = I("rx"), cluster = "litter",
                          call = "CoxBcv.{rob,md,kc,fg}(time, status, rx, litter)"),
                     bcv(rats$time, rats$status, rats$rx, rats$litter))
ref$rats_site10 <- c(list(data = "rats", covariates = c("rx", "female"), cluster = "site10",
                          call = "CoxBcv.{rob,md,kc,fg}(time, status, cbind(rx, female), (litter - 1) %/% 10 + 1)"),
                     bcv(rats$time, rats$status, cbind(rats$rx, rats$female), rats$site10))
ref$diabetic_site12 <- c(list(data = "diabetic", covariates = c("trt", "age", "argon"), cluster = "site12",
                              call = paste("CoxBcv.{rob,md,kc,fg}(time, status, cbind(trt, age, argon),",
                                           "(rank of id - 1) %% 12 + 1)")),
                         bcv(diab$time, diab$status, cbind(diab$trt, diab$age, diab$argon), diab$site12))
# Strata (not in CoxBcv): with Breslow ties the uncorrected Breslow-form sandwich is coxph's robust one
fit <- coxph(Surv(time, status) ~ rx + strata(sex), cluster = site10, data = rats, ties = "breslow")
ref$rats_strata_breslow <- list(data = "rats", covariates = I("rx"), cluster = "site10", strata = "sex",
                                call = "coxph(Surv(time, status) ~ rx + strata(sex), cluster = site10, ties = 'breslow')",
                                coef = unname(coef(fit)), robust = unname(diag(vcov(fit))))
writeLines(toJSON(ref, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/reference/cox_clusters/reference.json")
