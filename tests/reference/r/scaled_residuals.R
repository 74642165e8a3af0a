# Reference for irtrial.report.residuals.scaled_residuals: fitted values, marginal residuals and
# Cholesky-scaled ("normalized") residuals of an unstructured MMRM on the synthetic IR-wrap
# replica, from nlme::gls with corSymm + varIdent (= SAS TYPE=UN, irtrial covariance="us"), REML:
# residuals(fit, type = "response") and type = "normalized" (nlme premultiplies the
# standardized residuals by the inverse Cholesky factor of the estimated correlation matrix,
# which equals L^-1 r with Sigma_i = L L'). R 4.2, nlme 3.1.
# Run from the repository root:
#   Rscript tests/reference/r/scaled_residuals.R > tests/reference/r/scaled_residuals.json
# Model: change ~ baseline + ARM * AVISIT, unstructured over AVISIT within USUBJID.
suppressPackageStartupMessages({library(jsonlite); library(nlme)})
raw <- read.csv("data/synthetic/ir_wrap_trial.csv", stringsAsFactors = FALSE)
base <- raw[raw$AVISIT == "Week 0", c("USUBJID", "AVAL")]
names(base)[2] <- "baseline"
d <- merge(raw[raw$AVISIT != "Week 0", ], base, by = "USUBJID")
d$change <- d$AVAL - d$baseline
d <- d[!is.na(d$change), ]
d <- d[order(d$USUBJID, d$AVISITN), ]
d$ARM <- factor(d$ARM, levels = c("Placebo", "IR"))
d$AVISIT <- factor(d$AVISIT, levels = paste("Week", 1:6))
d$VIS <- as.integer(d$AVISIT)
fit <- gls(change ~ baseline + ARM * AVISIT, data = d, method = "REML",
           correlation = corSymm(form = ~ VIS | USUBJID),
           weights = varIdent(form = ~ 1 | AVISIT),
           control = glsControl(tolerance = 1e-10, msTol = 1e-10, maxIter = 200, msMaxIter = 200))
out <- data.frame(subject = as.character(d$USUBJID), visit = as.character(d$AVISIT),
                  fitted = unname(fitted(fit)),
                  residual = unname(residuals(fit, type = "response")),
                  scaled = unname(residuals(fit, type = "normalized")))
cat(toJSON(list(nlme_version = as.character(packageVersion("nlme")), rows = out),
           digits = NA, pretty = FALSE))
