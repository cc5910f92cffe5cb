# Reference values for tests/survival/test_monotone.py and test_firth.py (R 4.2, survival 3.5,
# coxphf 1.13.1 built from source). Run from the repository root, with coxphf on the library path:
#   R_LIBS=/path/to/lib Rscript tests/reference/monotone/make_reference.R
# Writes tests/reference/monotone/reference.json (and exports coxphf's `breast` data set to
# tests/reference/data/breast.csv when absent).
#
# pilot_1028.csv: the analysis columns of `evalexp simulate --n 150 --seed 1028 --hr 1.0`
# (time_days, event, treated and the six covariates, stratum, site). No rupture has
# diploma "bac+2": the adjusted Cox model's likelihood is monotone in that coefficient.
suppressPackageStartupMessages({library(survival); library(coxphf); library(jsonlite)})
options(digits = 17)
here <- "tests/reference/monotone"
radix <- function(x) factor(x, levels = sort(unique(x), method = "radix"))  # Python's sort order
d <- read.csv(file.path(here, "pilot_1028.csv"), stringsAsFactors = FALSE)
for (v in c("diploma", "sector", "company_size")) d[[v]] <- radix(d[[v]])

capture <- function(expr) {
  msgs <- character(0)
  value <- withCallingHandlers(expr, warning = function(w) {
    msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning")})
  list(value = value, warnings = msgs)
}
cox_out <- function(f) {
  fit <- f$value
  list(terms = names(coef(fit)), coef = unname(coef(fit)), se = unname(sqrt(diag(vcov(fit)))),
       loglik = fit$loglik, iter = fit$iter, warnings = I(f$warnings))
}
rhs <- "treated + age + female + qpv + diploma + sector + company_size"
out <- list()
# R defaults (eps = 1e-9): stops where the diverging coefficient is about -20
out$strata_default <- cox_out(capture(coxph(as.formula(paste("Surv(time_days, event) ~", rhs, "+ strata(stratum)")),
                                            data = d, ties = "efron")))
# tighter eps: R goes further along the divergence, the finite coefficients closer to their limits
ctl <- coxph.control(eps = 1e-14, iter.max = 200, toler.chol = 1e-15, toler.inf = 1e-7)
out$strata_tight <- cox_out(capture(coxph(as.formula(paste("Surv(time_days, event) ~", rhs, "+ strata(stratum)")),
                                          data = d, ties = "efron", control = ctl)))
out$cluster_tight <- cox_out(capture(coxph(as.formula(paste("Surv(time_days, event) ~", rhs, "+ strata(stratum)")),
                                           data = d, ties = "efron", cluster = site, control = ctl)))
out$breslow_tight <- cox_out(capture(coxph(as.formula(paste("Surv(time_days, event) ~", rhs)),
                                           data = d, ties = "breslow", control = ctl)))

# Firth (coxphf defaults: Breslow ties, penalty 0.5, profile penalised likelihood CI and
# penalised likelihood-ratio p), convergence tightened so the reference is fully converged
firth_out <- function(fit) {
  list(terms = names(coef(fit)), coef = unname(coef(fit)), se = unname(sqrt(diag(fit$var))),
       ci_low = unname(fit$ci.lower), ci_high = unname(fit$ci.upper), p = unname(fit$prob),
       loglik = fit$loglik, method_ci = fit$method.ci, method_ties = fit$method.ties)
}
tight <- list(maxit = 200, epsilon = 1e-9, gconv = 1e-9)
out$firth_pilot <- firth_out(do.call(coxphf, c(list(formula = as.formula(paste("Surv(time_days, event) ~", rhs)),
                                                     data = d), tight)))
data(breast, package = "coxphf")
if (!file.exists("tests/reference/data/breast.csv")) write.csv(breast, "tests/reference/data/breast.csv", row.names = FALSE)
out$firth_breast <- firth_out(do.call(coxphf, c(list(formula = Surv(TIME, CENS) ~ T + N + G + CD, data = breast), tight)))
# coxphf's own example of a monotone likelihood: R coxph does not converge, Firth does
sim <- data.frame(time = c(1, 2, 3), cens = c(1, 1, 1), x = c(1, 1, 0))
out$firth_toy <- firth_out(do.call(coxphf, c(list(formula = Surv(time, cens) ~ x, data = sim), tight)))
# the defaults, to state how far coxphf's default convergence is from the converged values
out$firth_pilot_default <- firth_out(coxphf(as.formula(paste("Surv(time_days, event) ~", rhs)), data = d))
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(here, "reference.json"))
