# Reference values for evalexp.integrity.power (tests/integrity/test_power.py).
# Run: Rscript tests/reference/integrity/design_power.R  (R 4.2, pwr 1.3.0) -> design_power.json
library(pwr)
library(jsonlite)

# Exact power of the two-sided arcsine test (pwr.2p2n.test with h given: no root finding).
grid <- expand.grid(h = c(0.1, 0.3, 0.4575, 0.8), n1 = c(20, 75, 120), n2 = c(75, 200),
                    alpha = c(0.05, 0.01))
grid$power <- mapply(function(h, n1, n2, a) pwr.2p2n.test(h = h, n1 = n1, n2 = n2, sig.level = a)$power,
                     grid$h, grid$n1, grid$n2, grid$alpha)

# Effect size solved for power (uniroot, default tol = .Machine$double.eps^0.25).
solve_h <- expand.grid(n1 = c(75, 50, 300), n2 = c(75, 100), power = c(0.8, 0.9))
solve_h$h <- mapply(function(n1, n2, p) pwr.2p2n.test(n1 = n1, n2 = n2, power = p, sig.level = 0.05)$h,
                    solve_h$n1, solve_h$n2, solve_h$power)
equal_n_h <- pwr.2p.test(n = 75, power = 0.8, sig.level = 0.05)$h

es_h <- expand.grid(p1 = c(0.25, 0.1, 0.6), p2 = c(0.084, 0.3, 0.5))
es_h$h <- mapply(ES.h, es_h$p1, es_h$p2)

# Schoenfeld (1981) and Freedman (1982) events, closed forms written out in R.
events <- expand.grid(hr = c(0.5, 0.6, 0.7, 1.5), ratio = c(1, 2, 0.5), alpha = c(0.05, 0.01), power = c(0.8, 0.9))
z <- qnorm(1 - events$alpha / 2) + qnorm(events$power)
p <- events$ratio / (1 + events$ratio)
events$schoenfeld <- z^2 / (p * (1 - p) * log(events$hr)^2)
events$freedman <- z^2 * (1 + events$ratio * events$hr)^2 / (events$ratio * (1 - events$hr)^2)

mdhr <- data.frame(events = c(30, 33, 40, 65.3456592588709, 100))
mdhr$hr <- exp(-(qnorm(0.975) + qnorm(0.8)) / sqrt(0.25 * mdhr$events))

writeLines(toJSON(list(
  source = "R 4.2, pwr 1.3.0: pwr.2p2n.test, pwr.2p.test, ES.h; Schoenfeld/Freedman closed forms with qnorm",
  power_grid = grid, solve_h = solve_h, equal_n_h = equal_n_h, es_h = es_h,
  events = events, min_detectable_hr = mdhr), digits = NA, pretty = TRUE),
  "design_power.json")
