# Reference for evalexp.integrity.small_sample: Bell-McCaffrey (Satterthwaite) df and t inference
# of the treatment - control difference, HC2 (each row its own cluster) and CR2 (clusters).
# Run: Rscript small_sample.R  (writes small_sample.json beside it; needs estimatr, clubSandwich, jsonlite)
suppressMessages({library(estimatr); library(clubSandwich); library(jsonlite)})
set.seed(20261204)
n <- 90
site <- sample(sprintf("s%02d", 1:12), n, replace = TRUE)
treated <- rbinom(n, 1, 0.45)
y <- rbinom(n, 1, plogis(-0.3 + 0.5 * treated + (as.integer(factor(site)) %% 3 - 1) * 0.6))
d <- data.frame(y = y, treated = treated, site = site, id = seq_len(n))
fit <- lm(y ~ treated, data = d)
hc2 <- coef_test(fit, vcov = "CR2", cluster = d$id, test = "Satterthwaite")
cr2 <- coef_test(fit, vcov = "CR2", cluster = d$site, test = "Satterthwaite")
er <- lm_robust(y ~ treated, data = d, clusters = site, se_type = "CR2")
out <- list(
  data = d,
  hc2 = list(call = 'clubSandwich::coef_test(lm(y ~ treated), vcov = "CR2", cluster = id, test = "Satterthwaite")',
             estimate = hc2$beta[2], se = hc2$SE[2], df = hc2$df_Satt[2], p_value = hc2$p_Satt[2]),
  cr2 = list(call = 'clubSandwich::coef_test(lm(y ~ treated), vcov = "CR2", cluster = site, test = "Satterthwaite")',
             estimate = cr2$beta[2], se = cr2$SE[2], df = cr2$df_Satt[2], p_value = cr2$p_Satt[2]),
  estimatr_cr2 = list(call = 'estimatr::lm_robust(y ~ treated, clusters = site, se_type = "CR2")',
                      estimate = unname(coef(er)[2]), se = unname(er$std.error[2]), df = unname(er$df[2]),
                      ci_low = unname(er$conf.low[2]), ci_high = unname(er$conf.high[2]),
                      p_value = unname(er$p.value[2]))
)
write_json(out, "small_sample.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
