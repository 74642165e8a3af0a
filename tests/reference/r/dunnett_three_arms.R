# Multiplicity references for irtrial's MMRMResult.contrasts(..., adjust=) (issue 7): Dunnett
# (multivariate t with the contrasts' correlation), Holm and Bonferroni, each arm vs Placebo
# within each visit, on a 3-arm synthetic trial.
# Run from the repository root:  Rscript tests/reference/r/dunnett_three_arms.R
# Writes tests/reference/r/dunnett_three_arms.json. R 4.2, nlme, emmeans, multcomp, mvtnorm,
# jsonlite (Debian r-cran-*).
#
# Data: tests/reference/r/dunnett_three_arms.csv, written by dunnett_three_arms_data.py
# (irtrial's seeded generator). Model: AVAL ~ BASE + ARM * AVISIT, unstructured covariance
# (nlme::gls corSymm + varIdent = SAS TYPE=UN), REML; every estimate on the residual df N - p
# (irtrial df = "residual", SAS DDFM=RESIDUAL; set with update(..., df = N - p), since emmeans'
# own gls "df.error" also subtracts the 5 correlation/variance parameters), so that every
# contrast has the same df and the multivariate t of the Dunnett adjustment is exactly defined.
#
# Dunnett: emmeans adjust = "mvt" (mvtnorm::pmvt / qmvt with the contrasts' correlation; the
# exact single-step Dunnett that multcomp's glht gives too). emmeans and multcomp integrate with
# mvtnorm's randomised Genz-Bretz rule (abseps 1e-3): their numbers carry Monte Carlo error of
# that order. The "dunnett_tvpack" entries recompute the same p-values and critical values with
# mvtnorm's TVPACK algorithm (Genz 2004, deterministic for 2 dimensions, abseps 1e-12; the
# two-sided rectangle from four orthants) and uniroot (tol 1e-12), the precise reference.
suppressPackageStartupMessages({
  library(jsonlite); library(nlme); library(emmeans); library(multcomp); library(mvtnorm)
})
set.seed(1)
d <- read.csv("tests/reference/r/dunnett_three_arms.csv")
d <- d[!is.na(d$AVAL), ]
d$ARM <- factor(d$ARM, levels = c("Placebo", "Low", "High"))
d$AVISIT <- factor(d$AVISIT, levels = c("Week 2", "Week 4", "Week 8"))
d$VIS <- as.integer(d$AVISIT)
d <- d[order(d$USUBJID, d$VIS), ]

fit <- gls(AVAL ~ BASE + ARM * AVISIT, data = d, method = "REML",
           correlation = corSymm(form = ~ VIS | USUBJID),
           weights = varIdent(form = ~ 1 | AVISIT),
           control = glsControl(tolerance = 1e-10, msTol = 1e-10, maxIter = 500, msMaxIter = 500))
dfres <- fit$dims$N - fit$dims$p
emm <- update(emmeans(fit, ~ ARM | AVISIT), df = dfres)
con <- contrast(emm, "trt.vs.ctrl", ref = 1)

tab <- function(adjust) {
  s <- as.data.frame(summary(con, adjust = adjust, infer = c(TRUE, TRUE)))
  data.frame(AVISIT = as.character(s$AVISIT), contrast = as.character(s$contrast),
             estimate = s$estimate, std_error = s$SE, df = s$df, ci_lower = s$lower.CL,
             ci_upper = s$upper.CL, p_value = s$p.value)
}

# multcomp: the same contrasts, single-step (Dunnett) p-values and simultaneous CIs per visit
mc <- do.call(rbind, lapply(levels(d$AVISIT), function(v) {
  g <- as.glht(contrast(update(emmeans(fit, ~ ARM, at = list(AVISIT = v)), df = dfres),
                        "trt.vs.ctrl", ref = 1))
  s <- summary(g, test = adjusted("single-step"))
  ci <- confint(g, level = 0.95)$confint
  data.frame(AVISIT = v, contrast = names(s$test$coefficients), p_value = as.numeric(s$test$pvalues),
             ci_lower = ci[, "lwr"], ci_upper = ci[, "upr"])
}))

# precise Dunnett with TVPACK: correlation of the two contrasts at each visit
V <- vcov(con)
ci <- as.data.frame(summary(con, adjust = "none", infer = c(TRUE, TRUE)))
tv <- do.call(rbind, lapply(levels(d$AVISIT), function(v) {
  idx <- which(ci$AVISIT == v)
  R <- cov2cor(V[idx, idx])
  dfv <- ci$df[idx[1]]
  t <- ci$t.ratio[idx]
  # TVPACK takes orthants only: the rectangle (-a, a)^2 by inclusion-exclusion of four orthants
  Fo <- function(x, y) pmvt(lower = c(-Inf, -Inf), upper = c(x, y), df = dfv, corr = R,
                            algorithm = TVPACK(abseps = 1e-12))[1]
  inside <- function(a) Fo(a, a) - Fo(a, -a) - Fo(-a, a) + Fo(-a, -a)
  p <- sapply(abs(t), function(a) 1 - inside(a))
  crit <- uniroot(function(a) inside(a) - 0.95, c(1, 5), tol = 1e-12)$root
  data.frame(AVISIT = v, contrast = as.character(ci$contrast[idx]), correlation = R[1, 2],
             p_value = p, critical_value = crit,
             ci_lower = ci$estimate[idx] - crit * ci$SE[idx],
             ci_upper = ci$estimate[idx] + crit * ci$SE[idx])
}))

# three contrasts (a 4-arm trial): irtrial integrates by quasi-Monte Carlo; reference mvtnorm's
# Genz-Bretz rule at abseps 1e-7 (Monte Carlo error below 1e-6) for a fixed correlation and df
R3 <- matrix(c(1, 0.5, 0.45, 0.5, 1, 0.55, 0.45, 0.55, 1), 3)
t3 <- c(1.2, 2.1, 2.6)
gb <- GenzBretz(maxpts = 5e6, abseps = 1e-7, releps = 0)
p3 <- sapply(t3, function(a) 1 - pmvt(lower = rep(-a, 3), upper = rep(a, 3), df = 40, corr = R3,
                                        algorithm = gb)[1])
# (qmvt's own root finder stops at tol 1.2e-4; uniroot to 1e-10 on the same probability)
set.seed(2)
c3 <- uniroot(function(a) pmvt(lower = rep(-a, 3), upper = rep(a, 3), df = 40, corr = R3,
                               algorithm = gb)[1] - 0.95, c(2, 3), tol = 1e-10)$root
trivariate <- list(correlation = R3, df = 40, t = t3, p_adjusted = p3, critical_value = c3)

out <- list(
  model = "AVAL ~ BASE + ARM * AVISIT, us, REML (nlme::gls corSymm + varIdent), emmeans, df N - p",
  n_obs = nrow(d), df_residual = dfres, neg2_res_loglik = -2 * as.numeric(logLik(fit)),
  none = tab("none"), dunnett_emmeans_mvt = tab("mvt"), holm = tab("holm"),
  bonferroni = tab("bonferroni"), dunnett_multcomp = mc, dunnett_tvpack = tv,
  dunnett_trivariate = trivariate
)
write_json(out, "tests/reference/r/dunnett_three_arms.json", digits = NA, pretty = TRUE,
           auto_unbox = TRUE)
