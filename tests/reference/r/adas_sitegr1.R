# Reference values for issue 8 ("done when"): the CDISC pilot ADAS-Cog total (ACTOT), whose site
# group SITEGR1 is a character variable ("701", "900"...), analysed with site as a FACTOR.
# Unstructured MMRM fitted with nlme::gls (corSymm + varIdent), REML, LS means and the
# arm - Placebo differences by visit from emmeans (equal weights over the SITEGR1 levels, BASE at
# its mean over the analysed rows, as SAS LSMEANS and irtrial).
# The same model is also fitted with R mmrm when the mmrm package is installed (here: a scratch
# library built from source, mmrm 0.3.18): Kenward-Roger df with the linear-parametrisation
# adjusted covariance, vcov = "Kenward-Roger-Linear", which is SAS DDFM=KR for TYPE=UN (SAS
# parametrises UN linearly; mmrm's default "Kenward-Roger" vcov uses its Cholesky parametrisation,
# whose second-derivative terms change the SEs by ~0.2% here).
# Run from the repository root:  R_LIBS=/work/rlib Rscript tests/reference/r/adas_sitegr1.R
# Writes tests/reference/r/adas_sitegr1.json. R 4.2, nlme, emmeans, haven, jsonlite (Debian).
#
# Data: tests/reference/data/adadas_actot.xpt (see tests/reference/data/README.md).
# Records analysed (what irtrial.read_trial keeps for an ADaM BDS file): PARAMCD == "ACTOT",
# observed records (DTYPE blank, i.e. no LOCF imputations), ANL01FL == "Y", post-baseline visits
# Week 8, 16, 24, CHG = AVAL - BASE not missing.
# Model: CHG ~ BASE + SITEGR1 + TRTP * AVISIT, TRTP levels in TRTPN order (Placebo, Xanomeline
# Low Dose, Xanomeline High Dose), SITEGR1 a factor; us(AVISIT | USUBJID) = SAS TYPE=UN.
suppressPackageStartupMessages({library(jsonlite); library(nlme); library(emmeans); library(haven)})

raw <- as.data.frame(read_xpt("tests/reference/data/adadas_actot.xpt"))
d <- raw[raw$PARAMCD == "ACTOT" & raw$DTYPE == "" & raw$ANL01FL == "Y" &
         raw$AVISIT %in% c("Week 8", "Week 16", "Week 24"), ]
d$CHG <- d$AVAL - d$BASE
d <- d[!is.na(d$CHG), ]
d <- d[order(d$USUBJID, d$AVISITN), ]
d$TRTP <- factor(d$TRTP, levels = c("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"))
d$AVISIT <- factor(d$AVISIT, levels = c("Week 8", "Week 16", "Week 24"))
d$SITEGR1 <- factor(d$SITEGR1)
d$VIS <- as.integer(d$AVISIT)

fit <- gls(CHG ~ BASE + SITEGR1 + TRTP * AVISIT, data = d, method = "REML",
           correlation = corSymm(form = ~ VIS | USUBJID),
           weights = varIdent(form = ~ 1 | AVISIT),
           control = glsControl(tolerance = 1e-10, msTol = 1e-10, maxIter = 500, msMaxIter = 500))

emm <- emmeans(fit, ~ TRTP | AVISIT, mode = "df.error")
lsm <- as.data.frame(summary(emm))
ct <- as.data.frame(summary(contrast(emm, "trt.vs.ctrl", ref = 1, adjust = "none")))

# the same model with SITEGR1 as a number (one slope): what a numeric reading fits
d$SITENUM <- as.numeric(as.character(d$SITEGR1))
fit_num <- update(fit, CHG ~ BASE + SITENUM + TRTP * AVISIT)
ct_num <- as.data.frame(summary(contrast(emmeans(fit_num, ~ TRTP | AVISIT, mode = "df.error"),
                                         "trt.vs.ctrl", ref = 1, adjust = "none")))

mmrm_part <- NULL
if (requireNamespace("mmrm", quietly = TRUE)) {
  fit_m <- mmrm::mmrm(CHG ~ BASE + SITEGR1 + TRTP * AVISIT + us(AVISIT | USUBJID), data = d,
                      reml = TRUE, method = "Kenward-Roger", vcov = "Kenward-Roger-Linear")
  emm_m <- emmeans(fit_m, ~ TRTP | AVISIT)
  lsm_m <- as.data.frame(summary(emm_m))
  ct_m <- as.data.frame(summary(contrast(emm_m, "trt.vs.ctrl", ref = 1, adjust = "none")))
  mmrm_part <- list(
    version = as.character(packageVersion("mmrm")), vcov = "Kenward-Roger-Linear",
    neg2_res_loglik = -2 * as.numeric(logLik(fit_m)),
    lsmeans = data.frame(TRTP = as.character(lsm_m$TRTP), AVISIT = as.character(lsm_m$AVISIT),
                         estimate = lsm_m$emmean, std_error = lsm_m$SE, df = lsm_m$df),
    contrasts = data.frame(AVISIT = as.character(ct_m$AVISIT),
                           contrast = as.character(ct_m$contrast), estimate = ct_m$estimate,
                           std_error = ct_m$SE, df = ct_m$df, p_value = ct_m$p.value))
}

out <- list(
  model = "CHG ~ BASE + SITEGR1 + TRTP * AVISIT, SITEGR1 factor, us(AVISIT | USUBJID), REML (nlme::gls corSymm + varIdent)",
  n_obs = nrow(d), n_subjects = length(unique(d$USUBJID)),
  site_levels = levels(d$SITEGR1),
  neg2_res_loglik = -2 * as.numeric(logLik(fit)),
  lsmeans = data.frame(TRTP = as.character(lsm$TRTP), AVISIT = as.character(lsm$AVISIT),
                       estimate = lsm$emmean, std_error = lsm$SE),
  contrasts = data.frame(AVISIT = as.character(ct$AVISIT), contrast = as.character(ct$contrast),
                         estimate = ct$estimate, std_error = ct$SE),
  contrasts_site_numeric = data.frame(AVISIT = as.character(ct_num$AVISIT),
                                      contrast = as.character(ct_num$contrast),
                                      estimate = ct_num$estimate, std_error = ct_num$SE),
  mmrm_kenward_roger_linear = mmrm_part
)
write_json(out, "tests/reference/r/adas_sitegr1.json", digits = NA, pretty = TRUE,
           auto_unbox = TRUE)
