# Reference for irtrial.reference_based(method="conditional-mean", resampling="jackknife") and
# irtrial.tipping_point: R rbmi v1.5.2 (insightsengineering/rbmi, with mmrm v0.3.18).
# Data: rbmi's antidepressant_data (exported to tests/reference/data/rbmi_antidepressant.csv)
# and tests/reference/data/rbmi_intermittent.csv (simulated, rbmi_intermittent_data.R).
# Imputation model: CHANGE ~ BASVAL*VISIT + THERAPY*VISIT, unstructured covariance (REML),
# common to both arms. ICE: first visit after the last observed value (monotone dropout);
# intermittent missing values are MAR. Reference arm: placebo for both arms.
# Analysis: ANCOVA per visit CHANGE ~ THERAPY + BASVAL (rbmi::ancova, counterfactual weights).
# Delta: added to the imputed values after the ICE in the active arm.
# mmrm's default optimiser (L-BFGS-B, factr 1e7) stops short of the REML maximum (by 6e-6 in
# -2 REML log-likelihood on antidepressant_data, gradient 2e-3; imputed values then differ by
# up to 2e-3 and estimates by 6e-5). By default this script therefore wraps mmrm::mmrm so that
# every fit rbmi makes uses BFGS with reltol = 1e-14 (L-BFGS-B with factr = 10, pgtol = 0 if
# BFGS fails), which reaches the REML maximum to ~1e-10;
# rbmi itself is not changed. `Rscript rbmi_condmean.R default` runs rbmi as shipped and writes
# rbmi_condmean_default.json instead.
# Run from the repo root: R_LIBS=/work/rlib Rscript tests/reference/r/rbmi_condmean.R
suppressPackageStartupMessages({
  library(rbmi)
  library(jsonlite)
})
default_optimizer <- identical(commandArgs(trailingOnly = TRUE), "default")
if (!default_optimizer) {
  mmrm_orig <- mmrm::mmrm
  mmrm_tight <- function(...) {
    mmrm_orig(..., optimizer = c("BFGS", "L-BFGS-B"),
              optimizer_control = list(reltol = 1e-14, factr = 10, pgtol = 0, maxit = 10000))
  }
  utils::assignInNamespace("mmrm", mmrm_tight, ns = "mmrm")
}

data("antidepressant_data", package = "rbmi")
ad <- as.data.frame(antidepressant_data)[, c("PATIENT", "THERAPY", "VISIT", "GENDER", "BASVAL",
                                             "HAMDTL17", "CHANGE")]
write.csv(ad, "tests/reference/data/rbmi_antidepressant.csv", row.names = FALSE, na = "")

prepare <- function(dat, control, active) {
  # dat: subject, arm, visit, baseline, change (one row per subject x visit, NA when missing)
  dat$subject <- factor(dat$subject)
  dat$visit <- factor(dat$visit, levels = sort(unique(as.character(dat$visit))))
  dat$arm <- factor(dat$arm, levels = c(control, active))
  dat <- dat[order(dat$subject, dat$visit), ]
  ice <- do.call(rbind, lapply(split(dat, dat$subject), function(d) {
    obs <- which(!is.na(d$change))
    last <- if (length(obs)) max(obs) else 0
    if (last == nrow(d)) return(NULL)
    data.frame(subject = d$subject[1], visit = as.character(d$visit[last + 1]),
               first_visit = last == 0)
  }))
  list(dat = dat, ice = ice)
}

run <- function(dat, ice, control, active, deltas, lmcf_fallback = "MAR") {
  vars <- set_vars(outcome = "change", visit = "visit", subjid = "subject", group = "arm",
                   covariates = c("baseline*visit", "arm*visit"))
  avars <- set_vars(outcome = "change", visit = "visit", subjid = "subject", group = "arm",
                    covariates = c("baseline"))
  refs <- setNames(c(control, control), c(control, active))
  ice_jr <- data.frame(subject = ice$subject, visit = ice$visit, strategy = "JR")
  t0 <- proc.time()[["elapsed"]]
  dr <- draws(data = dat, data_ice = ice_jr, vars = vars,
              method = method_condmean(type = "jackknife"), quiet = TRUE)
  t_draws <- proc.time()[["elapsed"]] - t0
  fit <- dr$samples[[1]]
  out <- list(
    n_subjects = length(unique(dat$subject)),
    visits = levels(dat$visit),
    fit = list(beta = fit$beta, sigma = fit$sigma[[1]]),
    seconds_draws = t_draws,
    strategies = list(), delta = list()
  )
  pooled <- function(ana) {
    p <- as.data.frame(pool(ana))
    p
  }
  for (s in c("MAR", "JR", "CR", "CIR", "LMCF")) {
    strat <- rep(s, nrow(ice))
    if (s == "LMCF") strat[ice$first_visit] <- lmcf_fallback
    upd <- data.frame(subject = ice$subject, visit = ice$visit, strategy = strat)
    t0 <- proc.time()[["elapsed"]]
    imp <- impute(dr, references = refs, update_strategy = upd)
    ana <- analyse(imp, ancova, vars = avars)
    p <- pooled(ana)
    t_s <- proc.time()[["elapsed"]] - t0
    full <- extract_imputed_dfs(imp, index = 1)[[1]]
    miss <- is.na(dat$change)
    out$strategies[[s]] <- list(
      pool = p, seconds_impute_analyse = t_s,
      imputed = data.frame(subject = as.character(dat$subject[miss]),
                           visit = as.character(dat$visit[miss]),
                           change = full$change[miss])
    )
  }
  for (s in c("MAR", "JR")) {
    upd <- data.frame(subject = ice$subject, visit = ice$visit, strategy = s)
    imp <- impute(dr, references = refs, update_strategy = upd)
    res <- list()
    for (d in deltas) {
      dt <- delta_template(imp)
      dt$delta <- ifelse(dt$arm == active & dt$is_missing & dt$is_post_ice, d, 0)
      dt <- dt[, c("subject", "visit", "delta")]
      ana <- analyse(imp, ancova, vars = avars, delta = dt)
      p <- pooled(ana)
      p$delta <- d
      res[[length(res) + 1]] <- p
    }
    out$delta[[s]] <- do.call(rbind, res)
  }
  out
}

# antidepressant: CHANGE = HAMDTL17 - BASVAL; the missing visits get rows
ad2 <- expand.grid(subject = unique(as.character(ad$PATIENT)), visit = levels(ad$VISIT),
                   stringsAsFactors = FALSE)
key <- paste(ad$PATIENT, ad$VISIT)
ad2$change <- ad$CHANGE[match(paste(ad2$subject, ad2$visit), key)]
first <- !duplicated(ad$PATIENT)
ad2$arm <- as.character(ad$THERAPY[first])[match(ad2$subject, as.character(ad$PATIENT[first]))]
ad2$baseline <- ad$BASVAL[first][match(ad2$subject, as.character(ad$PATIENT[first]))]
p1 <- prepare(ad2, "PLACEBO", "DRUG")
res_ad <- run(p1$dat, p1$ice, "PLACEBO", "DRUG", deltas = c(0, 1, 2, 3, 4))

sim <- read.csv("tests/reference/data/rbmi_intermittent.csv", stringsAsFactors = FALSE)
sim$change <- sim$value - sim$baseline
p2 <- prepare(sim[, c("subject", "arm", "visit", "baseline", "change")], "PBO", "ACT")
res_sim <- run(p2$dat, p2$ice, "PBO", "ACT", deltas = c(0, 1.5, 3, 4.5))

write_json(
  list(
    rbmi_version = as.character(packageVersion("rbmi")),
    mmrm_version = as.character(packageVersion("mmrm")),
    lmcf_fallback = "MAR",
    optimizer = if (default_optimizer) "mmrm default" else "BFGS reltol = 1e-14, then L-BFGS-B factr = 10, pgtol = 0",
    antidepressant = res_ad,
    intermittent = res_sim
  ),
  if (default_optimizer) "tests/reference/r/rbmi_condmean_default.json" else
    "tests/reference/r/rbmi_condmean.json", digits = NA, auto_unbox = TRUE, pretty = FALSE
)
