# Reference values for tests/foundation/test_levels.py: the order R's factor() gives to
# character levels of mixed case and accents, and the Cox coefficients of categorical
# covariates with R's default reference level and with relevel().
# R 4.2 / survival, run from the repository root:
#   Rscript tests/reference/levels/make_reference.R
# Data: data/synthetic/agir_demo.csv with diploma and sector relabelled in French, mixed
# case and accents (the same relabelling as the test's RELABEL).
suppressPackageStartupMessages({library(survival); library(jsonlite)})
options(digits = 17)
demo <- read.csv("data/synthetic/agir_demo.csv", stringsAsFactors = FALSE, na.strings = "")
day <- function(x) as.Date(x)
end <- pmin(day(demo$contract_end_planned), day(demo$followup_end))
rupture <- day(demo$rupture_date)
demo$event <- as.integer(!is.na(rupture) & rupture <= end)
demo$time_days <- as.numeric(ifelse(demo$event == 1, rupture, end)) - as.numeric(day(demo$contract_start))
demo$treated <- as.integer(demo$arm == "treatment")
diploma <- c("none" = "sans diplôme", "CAP-BEP" = "CAP-BEP", "bac" = "bac", "bac+2" = "supérieur")
sector <- c("trade" = "Commerce", "services" = "services", "hospitality" = "hôtellerie",
            "construction" = "BTP", "industry" = "Industrie")
demo$diploma <- unname(diploma[demo$diploma])
demo$sector <- unname(sector[demo$sector])

fit_block <- function(fit) {
  list(names = names(coef(fit)), coef = unname(coef(fit)), se = unname(sqrt(diag(vcov(fit)))))
}
formula <- Surv(time_days, event) ~ treated + age + female + diploma + sector + strata(stratum)
default <- coxph(formula, data = demo, ties = "efron")
releveled <- demo
releveled$diploma <- relevel(factor(releveled$diploma), ref = "sans diplôme")
reference <- coxph(formula, data = releveled, ties = "efron")
words <- c("sans diplôme", "CAP-BEP", "supérieur", "bac", "Bac", "École", "ecole", "zèbre", "Zebre",
           "<10", "10-49", "50+", "a-c", "ab", "a b", "éa", "eb")
out <- list(
  r_version = R.version.string, survival_version = as.character(packageVersion("survival")),
  collate = Sys.getlocale("LC_COLLATE"), icu = unname(capabilities("ICU")),
  levels = list(diploma = levels(factor(demo$diploma)), sector = levels(factor(demo$sector)),
                words = levels(factor(words))),
  cox_default = fit_block(default),
  cox_reference = fit_block(reference)
)
write_json(out, "tests/reference/levels/reference.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
