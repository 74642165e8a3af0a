# Peer for benchmarks/bench_inference.py: R nlme::gls (unstructured: corSymm + varIdent, REML)
# + emmeans LS-mean differences by visit with Satterthwaite df, on fev_data.
# Prints two times in seconds: the fit, then the LS means + differences.
# Run from the repository root: Rscript benchmarks/bench_inference_peer.R
suppressPackageStartupMessages({library(nlme); library(emmeans)})
set.seed(1)  # emmeans' appx-satterthwaite perturbs the parameters at random
d <- read.csv("tests/reference/sas/fev_data.csv")
d <- d[!is.na(d$FEV1), ]
d$ARMCD <- factor(d$ARMCD, levels = c("PBO", "TRT")); d$AVISIT <- factor(d$AVISIT)
d$RACE <- factor(d$RACE); d$SEX <- factor(d$SEX, levels = c("Male", "Female"))
d$VIS <- as.integer(d$AVISIT)
t0 <- proc.time()[["elapsed"]]
fit <- gls(FEV1 ~ RACE + SEX + ARMCD * AVISIT, data = d, method = "REML",
           correlation = corSymm(form = ~ VIS | USUBJID), weights = varIdent(form = ~ 1 | AVISIT))
t1 <- proc.time()[["elapsed"]]
e <- suppressMessages(emmeans(fit, ~ ARMCD | AVISIT, mode = "satterthwaite"))
s <- summary(contrast(e, "trt.vs.ctrl", ref = 1))
t2 <- proc.time()[["elapsed"]]
cat(sprintf("%.4f %.4f\n", t1 - t0, t2 - t1))
