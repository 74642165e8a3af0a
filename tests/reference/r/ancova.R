# Reference values for irtrial.analysis.ancova: lm(chg ~ base + arm (+ covariates)) + emmeans.
# Run from the repository root:  Rscript tests/reference/r/ancova.R
# Writes tests/reference/r/ancova.json. R 4.2.2, emmeans (+ jsonlite).
# LS means: numeric covariates at their means, equal weights over the levels of factor
# covariates (emmeans defaults); differences: contrast(trt.vs.ctrl, adjust = "none");
# standardised effect: eff_size(sigma = sigma(fit), edf = df.residual(fit)), and the same delta
# method written out (effect_size_delta): emmeans 1.8.4 uses (|e_a| - |e_c|)^2 for (e_a - e_c)^2,
# so the two differ only when the arms' LS means have opposite signs (three_arms_* below).
suppressPackageStartupMessages({library(jsonlite); library(emmeans)})

fit_case <- function(name, d, covariates, control) {
  d$arm <- factor(d$arm, levels = c(control, setdiff(sort(unique(d$arm)), control)))
  for (cv in covariates) if (is.character(d[[cv]])) d[[cv]] <- factor(d[[cv]])
  f <- as.formula(paste("chg ~ base + arm", paste(c("", covariates), collapse = " + ")))
  if (!length(covariates)) f <- chg ~ base + arm
  fit <- lm(f, data = d)
  emm <- emmeans(fit, "arm")
  lsm <- as.data.frame(summary(emm, infer = TRUE))
  con <- contrast(emm, "trt.vs.ctrl", ref = 1, adjust = "none")
  ct <- as.data.frame(summary(con, infer = TRUE, adjust = "none"))
  es <- as.data.frame(summary(eff_size(emm, sigma = sigma(fit), edf = df.residual(fit),
                                       method = "trt.vs.ctrl", ref = 1), infer = TRUE))
  # the location-invariant delta method (irtrial); equals eff_size when the LS means share a sign
  s <- sigma(fit); dfr <- df.residual(fit); dd <- ct$estimate / s
  se_d <- sqrt((ct$SE / s)^2 + dd^2 / (2 * dfr)); q <- qt(0.975, dfr)
  list(name = name, covariates = covariates,
       lsmeans_same_sign = all(lsm$emmean < 0) || all(lsm$emmean > 0),
       effect_size_delta = data.frame(contrast = as.character(ct$contrast), estimate = dd,
                                      std_error = se_d, ci_lower = dd - q * se_d, ci_upper = dd + q * se_d), control = control, data = d,
       sigma = sigma(fit), df_resid = df.residual(fit),
       coefficients = as.list(coef(fit)),
       lsmeans = data.frame(arm = as.character(lsm$arm), estimate = lsm$emmean, std_error = lsm$SE,
                            df = lsm$df, ci_lower = lsm$lower.CL, ci_upper = lsm$upper.CL),
       contrasts = data.frame(contrast = as.character(ct$contrast), estimate = ct$estimate,
                              std_error = ct$SE, df = ct$df, statistic = ct$t.ratio,
                              p_value = ct$p.value, ci_lower = ct$lower.CL, ci_upper = ct$upper.CL),
       effect_size = data.frame(contrast = as.character(es$contrast), estimate = es$effect.size,
                                std_error = es$SE, df = es$df, ci_lower = es$lower.CL,
                                ci_upper = es$upper.CL))
}

set.seed(20064)
# three arms, a factor and a numeric covariate, unbalanced
n <- c(Placebo = 12, Low = 10, High = 11)
arm <- rep(names(n), n)
base <- round(runif(sum(n), 4, 9), 1)
age <- round(rnorm(sum(n), 55, 10))
sex <- sample(c("F", "M"), sum(n), replace = TRUE, prob = c(0.6, 0.4))
eff <- c(Placebo = -1, Low = -2, High = -3.5)[arm]
chg <- round(eff - 0.3 * (base - 6.5) + 0.02 * (age - 55) + ifelse(sex == "M", 0.4, 0) + rnorm(sum(n), 0, 1.2), 2)
three <- data.frame(subject = sprintf("S%02d", seq_along(arm)), arm = arm, base = base, chg = chg,
                    AGE = age, SEX = sex, stringsAsFactors = FALSE)

out <- list(
  fit_case("three_arms_base", three, character(0), "Placebo"),
  fit_case("three_arms_covariates", three, c("AGE", "SEX"), "Placebo")
)

path <- "data/synthetic/ir_wrap_trial.csv"
if (file.exists(path)) {
  d <- read.csv(path)
  b <- d[d$AVISITN == min(d$AVISITN), c("USUBJID", "AVAL")]
  names(b)[2] <- "base"
  for (wk in sort(unique(d$AVISITN[d$AVISITN > min(d$AVISITN)]))) {
    last <- d[d$AVISITN == wk & !is.na(d$AVAL), c("USUBJID", "ARM", "AVAL", "AGE", "SEX", "PAINDUR")]
    e <- merge(last, b, by = "USUBJID")
    e$chg <- e$AVAL - e$base
    e$pchg <- ifelse(e$base == 0, NA, 100 * e$chg / e$base)
    names(e)[names(e) == "ARM"] <- "arm"
    names(e)[names(e) == "USUBJID"] <- "subject"
    e$visitn <- wk
    out[[length(out) + 1]] <- fit_case(paste0("synthetic_wk", wk), e, character(0), "Placebo")
    if (wk == max(d$AVISITN)) {
      out[[length(out) + 1]] <- fit_case("synthetic_covariates", e, c("AGE", "SEX", "PAINDUR"), "Placebo")
      e2 <- e[!is.na(e$pchg), ]; e2$chg <- e2$pchg
      out[[length(out) + 1]] <- fit_case("synthetic_pct_change", e2, character(0), "Placebo")
    }
  }
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, dataframe = "rows"),
           "tests/reference/r/ancova.json")
