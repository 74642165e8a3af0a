# Reference for the multi-row Kenward-Roger formulas (lambda, m) of irtrial.mmrm.df.kenward_roger:
# R pbkrtest on a random-intercept model, whose marginal covariance is compound symmetry in the
# same linear parametrisation as irtrial's "cs" (CS = subject variance, Residual).
# pbkrtest takes W from the *expected* information; SAS (and irtrial by default) from the
# observed one, so the test compares with information="expected".
# Run from the repository root:  Rscript tests/reference/r/kr_pbkrtest_cs.R
# Writes tests/reference/r/kr_pbkrtest_cs.json. R 4.2.2, lme4, pbkrtest, jsonlite.
suppressPackageStartupMessages({library(jsonlite); library(lme4); library(pbkrtest)})
d <- read.csv("tests/reference/sas/fev_data.csv")
d <- d[!is.na(d$FEV1), ]
d$ARMCD <- factor(d$ARMCD, levels = c("PBO", "TRT"))
d$AVISIT <- factor(d$AVISIT, levels = paste0("VIS", 1:4))
fit <- lmer(FEV1 ~ ARMCD * AVISIT + (1 | USUBJID), data = d, REML = TRUE,
            control = lmerControl(optCtrl = list(ftol_abs = 1e-12, xtol_abs = 1e-12)))
p <- ncol(model.matrix(fit))
row <- function(cols) { L <- matrix(0, length(cols), p); L[cbind(seq_along(cols), cols)] <- 1; L }
hyps <- list(interaction = c(6, 7, 8), arm_at_all_visits = c(2, 6, 7, 8), arm = 2)
tests <- lapply(names(hyps), function(h) {
  k <- KRmodcomp(fit, row(hyps[[h]]))$stats
  list(hypothesis = h, columns = hyps[[h]], f_value = k$Fstat, num_df = k$ndf, den_df = k$ddf,
       f_scaling = k$F.scaling, p_value = k$p.value)
})
vc <- as.data.frame(VarCorr(fit))
out <- list(
  model = "FEV1 ~ ARMCD * AVISIT + (1 | USUBJID), REML (lme4::lmer); pbkrtest::KRmodcomp / vcovAdj",
  column_names = colnames(model.matrix(fit)),
  theta = list(CS = vc$vcov[vc$grp == "USUBJID"], Residual = vc$vcov[vc$grp == "Residual"]),
  neg2_res_loglik = -2 * as.numeric(logLik(fit)),
  beta = unname(fixef(fit)),
  se_adjusted = unname(sqrt(diag(as.matrix(vcovAdj(fit))))),
  tests = tests
)
write_json(out, "tests/reference/r/kr_pbkrtest_cs.json", digits = NA, pretty = TRUE,
           auto_unbox = TRUE)
