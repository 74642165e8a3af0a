# Reference for irtrial.reference_based(ice=<user table>): R rbmi v1.5.2, conditional mean +
# jackknife, JR, on tests/reference/data/rbmi_intermittent.csv with a user ICE table: the
# default ICEs (first visit after the last observed value) plus ICEs for subjects still observed
# afterwards: S001 (placebo) and S047 at W3 (complete data), S055 at W3 (W4 missing, W5
# observed) and S049 at W2 (W3 missing, W4-W5 observed). rbmi leaves their observed values after
# the ICE out of the imputation model (non-MAR strategy), keeps them in the data, and imputes
# the missing ones under JR given every observed value. Model and analysis as in
# rbmi_condmean.R, with the same tightened mmrm optimiser.
# Run from the repo root: R_LIBS=/work/rlib Rscript tests/reference/r/rbmi_ice_table.R
suppressPackageStartupMessages({
  library(rbmi)
  library(jsonlite)
})
mmrm_orig <- mmrm::mmrm
mmrm_tight <- function(...) {
  mmrm_orig(..., optimizer = c("BFGS", "L-BFGS-B"),
            optimizer_control = list(reltol = 1e-14, factr = 10, pgtol = 0, maxit = 10000))
}
utils::assignInNamespace("mmrm", mmrm_tight, ns = "mmrm")

sim <- read.csv("tests/reference/data/rbmi_intermittent.csv", stringsAsFactors = FALSE)
dat <- data.frame(subject = factor(sim$subject), visit = factor(sim$visit),
                  arm = factor(sim$arm, levels = c("PBO", "ACT")), baseline = sim$baseline,
                  change = sim$value - sim$baseline)
dat <- dat[order(dat$subject, dat$visit), ]
ice <- do.call(rbind, lapply(split(dat, dat$subject), function(d) {
  obs <- which(!is.na(d$change))
  last <- if (length(obs)) max(obs) else 0
  if (last == nrow(d)) return(NULL)
  data.frame(subject = as.character(d$subject[1]), visit = as.character(d$visit[last + 1]))
}))
extra <- data.frame(subject = c("S001", "S047", "S055", "S049"),
                    visit = c("W3", "W3", "W3", "W2"))
ice <- rbind(ice[!ice$subject %in% extra$subject, ], extra)
ice$strategy <- "JR"
vars <- set_vars(outcome = "change", visit = "visit", subjid = "subject", group = "arm",
                 covariates = c("baseline*visit", "arm*visit"))
avars <- set_vars(outcome = "change", visit = "visit", subjid = "subject", group = "arm",
                  covariates = c("baseline"))
dr <- draws(data = dat, data_ice = ice, vars = vars,
            method = method_condmean(type = "jackknife"), quiet = TRUE)
imp <- impute(dr, references = c(PBO = "PBO", ACT = "PBO"))
p <- as.data.frame(pool(analyse(imp, ancova, vars = avars)))
full <- extract_imputed_dfs(imp, index = 1)[[1]]
miss <- is.na(dat$change)
imputed <- data.frame(subject = as.character(dat$subject[miss]),
                      visit = as.character(dat$visit[miss]), change = full$change[miss])
write_json(list(rbmi_version = as.character(packageVersion("rbmi")), ice = ice, pool = p,
                imputed = imputed,
                beta = dr$samples[[1]]$beta, sigma = dr$samples[[1]]$sigma[[1]]),
           "tests/reference/r/rbmi_ice_table.json", digits = NA, auto_unbox = TRUE)
