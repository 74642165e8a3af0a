# Reference for irtrial.reference_based(method="approximate-bayes"): R rbmi v1.5.2
# method_approxbayes (bootstrap MMRM fits, one draw each, Rubin's rules with Barnard-Rubin df)
# on rbmi's antidepressant_data (tests/reference/data/rbmi_antidepressant.csv), MAR and JR,
# the model and analysis of rbmi_condmean.R. Also rbmi's Rubin's rules on fixed numbers.
# Monte Carlo: n_samples = 1000; the JSON keeps the between-imputation variance of every
# estimate so that the test can state its Monte Carlo SE (sqrt(B / M)).
# Run from the repo root: R_LIBS=/work/rlib Rscript tests/reference/r/rbmi_approxbayes.R
suppressPackageStartupMessages({
  library(rbmi)
  library(jsonlite)
})
set.seed(20240611)
M <- 1000
ad <- read.csv("tests/reference/data/rbmi_antidepressant.csv", stringsAsFactors = FALSE)
dat <- expand.grid(subject = unique(as.character(ad$PATIENT)),
                   visit = as.character(sort(unique(ad$VISIT))), stringsAsFactors = FALSE)
key <- paste(ad$PATIENT, ad$VISIT)
dat$change <- ad$CHANGE[match(paste(dat$subject, dat$visit), key)]
first <- !duplicated(ad$PATIENT)
dat$arm <- ad$THERAPY[first][match(dat$subject, as.character(ad$PATIENT[first]))]
dat$baseline <- ad$BASVAL[first][match(dat$subject, as.character(ad$PATIENT[first]))]
dat$subject <- factor(dat$subject)
dat$visit <- factor(dat$visit)
dat$arm <- factor(dat$arm, levels = c("PLACEBO", "DRUG"))
dat <- dat[order(dat$subject, dat$visit), ]
ice <- do.call(rbind, lapply(split(dat, dat$subject), function(d) {
  obs <- which(!is.na(d$change))
  last <- if (length(obs)) max(obs) else 0
  if (last == nrow(d)) return(NULL)
  data.frame(subject = d$subject[1], visit = as.character(d$visit[last + 1]))
}))
vars <- set_vars(outcome = "change", visit = "visit", subjid = "subject", group = "arm",
                 covariates = c("baseline*visit", "arm*visit"))
avars <- set_vars(outcome = "change", visit = "visit", subjid = "subject", group = "arm",
                  covariates = c("baseline"))
t0 <- proc.time()[["elapsed"]]
dr <- draws(data = dat, data_ice = data.frame(ice, strategy = "JR"), vars = vars,
            method = method_approxbayes(n_samples = M), quiet = TRUE)
seconds <- proc.time()[["elapsed"]] - t0
out <- list(rbmi_version = as.character(packageVersion("rbmi")), n_samples = M,
            seconds_draws = seconds, strategies = list())
for (s in c("MAR", "JR")) {
  imp <- impute(dr, references = c(PLACEBO = "PLACEBO", DRUG = "PLACEBO"),
                update_strategy = data.frame(ice, strategy = s))
  ana <- analyse(imp, ancova, vars = avars)
  p <- as.data.frame(pool(ana))
  # between-imputation variance of each parameter (Monte Carlo SE of the pooled estimate)
  ests <- sapply(ana$results, function(r) unlist(lapply(r, function(x) x$est)))
  p$var_between <- apply(ests, 1, var)[p$parameter]
  p$df <- sapply(p$parameter, function(par) {
    e <- sapply(ana$results, function(r) r[[par]]$est)
    se <- sapply(ana$results, function(r) r[[par]]$se)
    rbmi:::rubin_rules(e, se, ana$results[[1]][[par]]$df)$df
  })
  out$strategies[[s]] <- p
}
# Rubin's rules with Barnard-Rubin df on fixed numbers
ests <- c(1.2, 0.8, 1.5, 1.1, 0.9)
ses <- c(0.50, 0.55, 0.48, 0.52, 0.51)
out$rubin <- list(ests = ests, ses = ses,
                  finite = rbmi:::rubin_rules(ests, ses, 30),
                  infinite = rbmi:::rubin_rules(ests, ses, Inf))
write_json(out, "tests/reference/r/rbmi_approxbayes.json", digits = NA, auto_unbox = TRUE)
