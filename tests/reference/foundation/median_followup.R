# Reverse Kaplan-Meier median follow-up of the demo cohort, per arm and overall.
# Run from the repository root: Rscript tests/reference/foundation/median_followup.R
# Writes tests/reference/foundation/median_followup.json (read by tests/foundation/test_quality.py).
library(survival)
library(jsonlite)
d <- read.csv("data/synthetic/agir_demo.csv", stringsAsFactors = FALSE)
d$end <- pmin(as.Date(d$contract_end_planned), as.Date(d$followup_end))
rupture <- as.Date(ifelse(d$rupture_date == "", NA, d$rupture_date))
d$event <- as.integer(!is.na(rupture) & rupture <= d$end)
d$time <- ifelse(d$event == 1, as.numeric(rupture - as.Date(d$contract_start)), as.numeric(d$end - as.Date(d$contract_start)))
med <- function(fit) unname(summary(fit)$table["median"])
by_arm <- survfit(Surv(time, 1 - event) ~ arm, data = d)
tab <- summary(by_arm)$table
out <- list(
  call = "survfit(Surv(time, 1 - event) ~ arm, data = agir_demo)",
  R = R.version.string, survival = as.character(packageVersion("survival")),
  treatment = unname(tab["arm=treatment", "median"]),
  control = unname(tab["arm=control", "median"]),
  total = med(survfit(Surv(time, 1 - event) ~ 1, data = d)),
  events = list(treatment = sum(d$event[d$arm == "treatment"]), control = sum(d$event[d$arm == "control"])),
  # veteran (survival package, exported in tests/reference/data/veteran.csv), status 1 = death:
  # the plain KM median, which reverse_km_median(time, event = 1 - status) must give
  veteran_km_median_by_trt = unname(summary(survfit(Surv(time, status) ~ trt, data = veteran))$table[, "median"]),
  # four times, all "censored" by the reverse curve: S = 1/2 on [2, 3) -> R takes the midpoint 2.5
  midpoint = med(survfit(Surv(c(1, 2, 3, 4), c(1, 1, 1, 1)) ~ 1))
)
write_json(out, "tests/reference/foundation/median_followup.json", auto_unbox = TRUE, digits = NA, pretty = TRUE)
