# Reference for the multi-row Satterthwaite df (SAS's eigen-decomposition method) of
# irtrial.mmrm.df.satterthwaite: lmerTest::contest on a random-intercept model, whose marginal
# covariance is compound symmetry (irtrial covariance="cs"). lmerTest implements the same
# SAS method for F tests (Kuznetsova, Brockhoff & Christensen 2017, J Stat Softw 82(13)).
# Run from the repository root:  Rscript tests/reference/r/satterthwaite_lmertest_cs.R
# Writes tests/reference/r/satterthwaite_lmertest_cs.json. R 4.2.2, lmerTest, jsonlite.
suppressPackageStartupMessages({library(jsonlite); library(lmerTest)})
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
  k <- contest(fit, row(hyps[[h]]), ddf = "Satterthwaite", joint = TRUE)
  list(hypothesis = h, columns = hyps[[h]], f_value = k[["F value"]], num_df = k$NumDF,
       den_df = k$DenDF, p_value = k[["Pr(>F)"]])
})
write_json(list(model = "FEV1 ~ ARMCD * AVISIT + (1 | USUBJID), REML (lme4/lmerTest)",
                column_names = colnames(model.matrix(fit)), tests = tests),
           "tests/reference/r/satterthwaite_lmertest_cs.json", digits = NA, pretty = TRUE,
           auto_unbox = TRUE)
