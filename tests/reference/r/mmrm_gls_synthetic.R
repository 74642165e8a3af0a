# Reference values for irtrial.mmrm inference (LS means, differences, type 3) on the synthetic
# IR-wrap trial: an unstructured MMRM fitted with nlme::gls (corSymm + varIdent), REML, and
# emmeans LS means by visit with Satterthwaite df.
# Run from the repository root:  Rscript tests/reference/r/mmrm_gls_synthetic.R
# Writes tests/reference/r/mmrm_gls_synthetic.json. R 4.2.2, nlme 3.1-162, emmeans 1.8.4-1,
# jsonlite 1.8.4.
#
# Model: change ~ baseline + ARM * AVISIT on the post-baseline visits (Week 1..6), rows with a
# missing outcome dropped; unstructured covariance over the visits within subject
# (corSymm(form = ~ visit index | USUBJID) with varIdent(form = ~ 1 | AVISIT)) = SAS TYPE=UN,
# irtrial covariance="us". ARM levels Placebo (reference), IR.
# emmeans: mode = "satterthwaite", which for gls falls back to "appx-satterthwaite" (numerical
# derivatives of the variance of the estimate with respect to the gls variance parameters, their
# covariance from nlme's apVar).
# A second model, change ~ baseline + SEX + ARM * AVISIT, gives LS means with equal and with
# proportional (observed-margin) weights over SEX.
suppressPackageStartupMessages({library(jsonlite); library(nlme); library(emmeans)})
set.seed(1)  # emmeans' appx-satterthwaite perturbs the parameters at random

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
           control = glsControl(tolerance = 1e-10, msTol = 1e-10, maxIter = 500, msMaxIter = 500))

emm <- emmeans(fit, ~ ARM | AVISIT, mode = "satterthwaite")
lsm <- as.data.frame(summary(emm, infer = TRUE))
con <- contrast(emm, "trt.vs.ctrl", ref = 1, adjust = "none")
ct <- as.data.frame(summary(con, infer = TRUE, adjust = "none"))
an <- as.data.frame(joint_tests(fit, mode = "satterthwaite"))

# the covariance matrix of one complete subject (visits Week 1..6), for checking the fit
full <- names(which.max(table(d$USUBJID)))
V <- getVarCov(fit, individual = full)

# a second model with a factor covariate, for LS-mean weights: equal (SAS default) and
# proportional to the observed SEX frequencies (emmeans weights = "proportional" = SAS OBSMARGINS)
d$SEX <- factor(d$SEX, levels = c("F", "M"))
fit_sex <- gls(change ~ baseline + SEX + ARM * AVISIT, data = d, method = "REML",
               correlation = corSymm(form = ~ VIS | USUBJID),
               weights = varIdent(form = ~ 1 | AVISIT),
               control = glsControl(tolerance = 1e-10, msTol = 1e-10, maxIter = 500,
                                    msMaxIter = 500))
lsm_w <- function(w) {
  e <- as.data.frame(summary(emmeans(fit_sex, ~ ARM | AVISIT, weights = w, mode = "df.error")))
  data.frame(ARM = as.character(e$ARM), AVISIT = as.character(e$AVISIT), estimate = e$emmean,
             std_error = e$SE)
}

out <- list(
  model = "change ~ baseline + ARM * AVISIT, us(AVISIT | USUBJID), REML (nlme::gls corSymm + varIdent)",
  n_obs = nrow(d), n_subjects = length(unique(d$USUBJID)),
  neg2_res_loglik = -2 * as.numeric(logLik(fit)),
  coefficients = as.list(coef(fit)),
  coef_se = as.list(sqrt(diag(vcov(fit)))),
  sigma_full_subject = unname(matrix(as.numeric(V), nrow(V))),
  lsmeans = data.frame(ARM = as.character(lsm$ARM), AVISIT = as.character(lsm$AVISIT),
                       estimate = lsm$emmean, std_error = lsm$SE, df = lsm$df,
                       ci_lower = lsm$lower.CL, ci_upper = lsm$upper.CL),
  contrasts = data.frame(AVISIT = as.character(ct$AVISIT), contrast = as.character(ct$contrast),
                         estimate = ct$estimate, std_error = ct$SE, df = ct$df,
                         statistic = ct$t.ratio, p_value = ct$p.value,
                         ci_lower = ct$lower.CL, ci_upper = ct$upper.CL),
  sex_model = list(neg2_res_loglik = -2 * as.numeric(logLik(fit_sex)),
                   lsmeans_equal = lsm_w("equal"), lsmeans_proportional = lsm_w("proportional")),
  joint_tests = data.frame(term = as.character(an[["model term"]]), num_df = an$df1,
                           den_df = an$df2, f_value = an$F.ratio, p_value = an$p.value)
)
write_json(out, "tests/reference/r/mmrm_gls_synthetic.json", digits = NA, pretty = TRUE,
           auto_unbox = TRUE)
