# Reference for irtrial.mmrm estimability (non-estimable LS means with accept_singular=True):
# a three-arm trial in which arm IR2 has no data at Week 3, so the column armIR2:visitWeek 3 of
# change ~ baseline + arm * visit is aliased and every LS mean / difference involving that cell is
# not estimable. nlme::gls (unstructured: corSymm + varIdent, REML) without the aliased column,
# as irtrial fits it; emmeans reports "nonEst" (NA) for the non-estimable cells
# (estimability::nonest.basis, tolerance 1e-8).
# Data: tests/reference/r/mmrm_nonestimable.csv, built from data/synthetic/ir_wrap_trial.csv by
# tests/mmrm/test_estimability.py::make_nonestimable_frame (IR subjects copied as arm IR2 with
# change shifted by -0.5/0/+0.5 in turn, IR2's Week 3 change set to missing).
# Run from the repository root:  Rscript tests/reference/r/mmrm_nonestimable.R
# Writes tests/reference/r/mmrm_nonestimable.json. R 4.2.2, nlme 3.1-162, emmeans 1.8.4-1,
# jsonlite 1.8.4.
suppressPackageStartupMessages({library(jsonlite); library(nlme); library(emmeans)})

d <- read.csv("tests/reference/r/mmrm_nonestimable.csv", stringsAsFactors = FALSE)
d <- d[!is.na(d$change), ]
d$arm <- factor(d$arm, levels = c("Placebo", "IR", "IR2"))
d$visit <- factor(d$visit, levels = paste("Week", 1:6))
d$VIS <- as.integer(d$visit)
d <- d[order(d$subject, d$VIS), ]
# gls(..., singular.ok = TRUE) on the rank-deficient formula stops at its starting values, so the
# covariance is estimated on the full-rank design (the aliased column dropped, as irtrial does)
# and the factor model is refitted with those covariance parameters held fixed (same fit: GLS
# estimates and the REML scale), which is what emmeans needs to see the factor coding.
X <- model.matrix(~ baseline + arm * visit, d)
aliased <- "armIR2:visitWeek 3"
stopifnot(qr(X)$rank == ncol(X) - 1, qr(X[, colnames(X) != aliased])$rank == ncol(X) - 1)
Xr <- X[, colnames(X) != aliased]
fit1 <- gls(change ~ Xr - 1, data = d, method = "REML",
            correlation = corSymm(form = ~ VIS | subject),
            weights = varIdent(form = ~ 1 | visit),
            control = glsControl(tolerance = 1e-10, msTol = 1e-10, maxIter = 500,
                                 msMaxIter = 500))
cor_par <- coef(fit1$modelStruct$corStruct, unconstrained = FALSE)
var_par <- coef(fit1$modelStruct$varStruct, unconstrained = FALSE, allCoef = TRUE)[-1]
fit <- gls(change ~ baseline + arm * visit, data = d, method = "REML",
           correlation = corSymm(value = cor_par, form = ~ VIS | subject, fixed = TRUE),
           weights = varIdent(form = ~ 1 | visit, fixed = var_par),
           control = glsControl(singular.ok = TRUE))
stopifnot(max(abs(coef(fit) - coef(fit1))) < 1e-8)
# the refit's residual scale divides by N - 19 (it counts the aliased column); the REML scale of
# the full-rank fit divides by N - rank(X) = N - 18, so the SEs are rescaled to fit1's scale
se_scale <- fit1$sigma / fit$sigma
cat("SE scale", se_scale, "= sqrt((N - 19) / (N - 18)):", sqrt((nrow(d) - 19) / (nrow(d) - 18)), "\n")

emm <- emmeans(fit, ~ arm | visit, mode = "df.error")
lsm <- as.data.frame(summary(emm))
con <- as.data.frame(summary(contrast(emm, "trt.vs.ctrl", ref = 1, adjust = "none")))
num <- function(x) ifelse(is.na(x), NA, x)
out <- list(
  coefficients = as.list(coef(fit)),
  aliased = I(setdiff(colnames(X), names(coef(fit)))),
  minus2_reml_loglik = -2 * as.numeric(logLik(fit1)),
  lsmeans = data.frame(arm = as.character(lsm$arm), visit = as.character(lsm$visit),
                       estimate = num(lsm$emmean), std_error = num(lsm$SE * se_scale)),
  contrasts = data.frame(contrast = as.character(con$contrast), visit = as.character(con$visit),
                         estimate = num(con$estimate), std_error = num(con$SE * se_scale))
)
writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/r/mmrm_nonestimable.json")
