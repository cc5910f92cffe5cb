# Reference values of the randomisation-test-inversion intervals (src/evalexp/survival/randomization_ci.py).
# R 4.2, survival. Run from the repository root:
#   Rscript tests/reference/randomization_ci/make_reference.R
# The data set is survival::veteran, exported by tests/reference/survival/make_reference.R
# (tests/reference/data/veteran.csv): treated = (trt == 2), blocks = celltype.
# What R gives here: the actual assignment's statistic T(b0) = U(b0)^2 / I(b0), the Cox score test of
# beta = b0 (coxph(..., init = b0, iter.max = 0)$score, stratified by celltype, Breslow and Efron
# ties), the estimates, and the Kaplan-Meier risk difference and se at day 100
# (strata pooled). The re-randomisation distribution has no R counterpart (numpy draws).
suppressPackageStartupMessages({library(survival); library(jsonlite)})
vet <- read.csv("tests/reference/data/veteran.csv")
vet$treated <- as.integer(vet$trt == 2)
b0 <- c(-1, -0.5, -0.2, 0, 0.2, 0.5, 1)
score_at <- function(b, ties) {
  fit <- coxph(Surv(time, status) ~ treated + strata(celltype), data = vet, ties = ties,
               init = b, control = coxph.control(iter.max = 0))
  unname(fit$score)
}
fit <- coxph(Surv(time, status) ~ treated + strata(celltype), data = vet, ties = "breslow")
efron <- coxph(Surv(time, status) ~ treated + strata(celltype), data = vet, ties = "efron")
km <- summary(survfit(Surv(time, status) ~ treated, data = vet), times = 100)
ref <- list(
  b0 = b0,
  score_statistic = sapply(b0, score_at, ties = "breslow"),
  score_statistic_efron = sapply(b0, score_at, ties = "efron"),
  breslow_log_hr = unname(coef(fit)),
  efron_log_hr = unname(coef(efron)),
  breslow_wald_ci = unname(log(summary(fit)$conf.int[1, c("lower .95", "upper .95")])),
  risk_100 = list(risk = 1 - km$surv, se = km$std.err)  # rows treated = 0, 1
)
writeLines(toJSON(ref, digits = NA, auto_unbox = TRUE, pretty = FALSE),
           "tests/reference/randomization_ci/reference.json")
