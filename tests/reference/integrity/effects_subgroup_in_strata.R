# Reference value for evalexp.integrity.subgroups when the subgroup column is the strata column
# (tests/integrity/test_subgroups.py). Data: the colon analysis set written by effects_colon.R.
# Run from the repository root:  Rscript tests/reference/integrity/effects_subgroup_in_strata.R
# coxph leaves the factor(extent) main effects NA (absorbed by strata(extent)); the Wald test
# uses the treated:factor(extent) coefficients, all four levels having deaths in both arms.
suppressMessages({library(survival); library(jsonlite)})
d <- read.csv("tests/reference/integrity/effects_colon_data.csv")
ctl <- coxph.control(eps = 1e-12, toler.chol = 1e-14, iter.max = 100)
fit <- coxph(Surv(time_days, event) ~ treated * factor(extent) + strata(extent), data = d,
             ties = "efron", control = ctl)
idx <- grep(":", names(coef(fit)))
b <- coef(fit)[idx]; V <- vcov(fit)[idx, idx, drop = FALSE]
w <- as.numeric(t(b) %*% solve(V) %*% b)
write_json(list(call = "coxph(Surv(time_days, event) ~ treated * factor(extent) + strata(extent), ties = 'efron')",
                terms = names(b), wald = w, df = length(idx), p_value = pchisq(w, length(idx), lower.tail = FALSE)),
           "tests/reference/integrity/effects_subgroup_in_strata.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
