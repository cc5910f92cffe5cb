# Write the demo cohort as SAS7BDAT (tests/data/agir_demo.sas7bdat) for the reader test.
# Run from the repository root: Rscript tests/reference/foundation/write_sas.R
# haven::write_sas is deprecated (haven 2.5) but still writes files that pandas.read_sas reads;
# pandas (2.3) however misses the DATE format of some columns of this file (haven reads all of
# them back as dates), so evalexp reads numbers in a SAS file's date columns as SAS dates.
library(haven)
d <- read.csv("data/synthetic/agir_demo.csv", stringsAsFactors = FALSE, na.strings = "")
dates <- c("contract_start", "contract_end_planned", "followup_end", "rupture_date", "assigned_on",
           "meeting1_date", "meeting2_date", "meeting3_date")
for (v in dates) d[[v]] <- as.Date(d[[v]])
for (v in names(d)) if (is.character(d[[v]])) d[[v]][is.na(d[[v]])] <- ""
suppressWarnings(write_sas(d, "tests/data/agir_demo.sas7bdat"))
