# Reference values for evalexp.integrity.balance (tests/integrity/test_balance.py).
# Run: Rscript tests/reference/integrity/design_balance.R  (R 4.2) -> design_balance.json
# Data: survival::colon (exported as tests/reference/data/colon.csv), death rows
# (etype == 2), arms Lev+5FU ("treatment") vs Obs ("control"). WWC Procedures Handbook v4.1,
# Appendix E formulas written out in R:
#   Hedges' g = omega (m_t - m_c) / sqrt(((n_t-1) s_t^2 + (n_c-1) s_c^2) / (n_t + n_c - 2))
#   Cox index = omega (qlogis(p_t) - qlogis(p_c)) / 1.65;  omega = 1 - 3 / (4 N - 9)
library(survival)
library(jsonlite)
d <- subset(colon, etype == 2 & rx != "Lev")
d$treated <- d$rx == "Lev+5FU"
omega <- function(N) 1 - 3 / (4 * N - 9)
hedges <- function(x, t) {
  k <- !is.na(x); x <- x[k]; t <- t[k]
  a <- x[t]; b <- x[!t]; na <- length(a); nb <- length(b)
  s <- sqrt(((na - 1) * var(a) + (nb - 1) * var(b)) / (na + nb - 2))
  list(n_t = na, n_c = nb, mean_t = mean(a), mean_c = mean(b), sd_t = sd(a), sd_c = sd(b),
       d = omega(na + nb) * (mean(a) - mean(b)) / s)
}
cox <- function(x, t) {
  k <- !is.na(x); x <- x[k]; t <- t[k]
  a <- x[t]; b <- x[!t]
  list(n_t = length(a), n_c = length(b), mean_t = mean(a), mean_c = mean(b),
       d = omega(length(a) + length(b)) * (qlogis(mean(a)) - qlogis(mean(b))) / 1.65)
}
out <- list(
  source = "R 4.2, survival::colon etype == 2, rx Lev+5FU vs Obs; WWC v4.1 App. E formulas",
  age = hedges(d$age, d$treated),
  nodes = hedges(d$nodes, d$treated),
  sex = cox(d$sex, d$treated),
  obstruct = cox(d$obstruct, d$treated),
  differ = lapply(setNames(1:3, c("1", "2", "3")), function(l) cox(as.numeric(d$differ == l), d$treated))
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "design_balance.json")
