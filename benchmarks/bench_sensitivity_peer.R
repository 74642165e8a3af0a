# Peer timing for benchmarks/bench_sensitivity.py: rbmi (v1.5.2) conditional mean + jackknife,
# the five strategies on one CSV (subject, arm, visit, baseline, change; control "PBO").
# Usage: R_LIBS=/work/rlib Rscript benchmarks/bench_sensitivity_peer.R data.csv out.json
suppressPackageStartupMessages({
  library(rbmi)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
dat <- read.csv(args[1], stringsAsFactors = FALSE)
dat$subject <- factor(dat$subject)
dat$visit <- factor(dat$visit, levels = unique(dat$visit))
dat$arm <- factor(dat$arm, levels = c("PBO", "ACT"))
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
c0 <- sum(proc.time()[c("user.self", "sys.self")])
dr <- draws(data = dat, data_ice = data.frame(ice, strategy = "JR"), vars = vars,
            method = method_condmean(type = "jackknife"), quiet = TRUE)
t_draws <- proc.time()[["elapsed"]] - t0
c_draws <- sum(proc.time()[c("user.self", "sys.self")]) - c0
per <- list()
cpu <- list()
est <- list()
for (s in c("MAR", "JR", "CR", "CIR", "LMCF")) {
  t0 <- proc.time()[["elapsed"]]
  c0 <- sum(proc.time()[c("user.self", "sys.self")])
  imp <- impute(dr, references = c(PBO = "PBO", ACT = "PBO"),
                update_strategy = data.frame(ice, strategy = s))
  p <- as.data.frame(pool(analyse(imp, ancova, vars = avars)))
  per[[s]] <- proc.time()[["elapsed"]] - t0
  cpu[[s]] <- sum(proc.time()[c("user.self", "sys.self")]) - c0
  est[[s]] <- p[grepl("^trt_", p$parameter), c("parameter", "est", "se")]
}
write_json(list(seconds_draws = t_draws, seconds_strategy = per, cpu_draws = c_draws,
                cpu_strategy = cpu, estimates = est),
           args[2], digits = NA, auto_unbox = TRUE)
