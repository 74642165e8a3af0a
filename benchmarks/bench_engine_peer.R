# Peer timings for benchmarks/bench_engine.py: R mmrm (and nlme::gls) on the same data.
# Usage: R_LIBS=/work/rlib Rscript bench_engine_peer.R refits <replicates.csv> <L.json> <out.json>
#        R_LIBS=/work/rlib Rscript bench_engine_peer.R big <big.csv> <out.json>
# refits: one REML fit per replicate of change ~ baseline + arm * visit + us(visit | subject)
#   with the Satterthwaite test of the contrast L (mmrm::df_1d), timed in total; nlme::gls with
#   corSymm + varIdent (the same unstructured model) and L b, sqrt(L V L') (no df).
# big: one mmrm fit (us, REML, Satterthwaite) of the 20,000-subject data set.
suppressPackageStartupMessages({
  library(jsonlite)
  library(nlme)
})
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]
have_mmrm <- requireNamespace("mmrm", quietly = TRUE)

prep <- function(d) {
  d$arm <- factor(d$arm, levels = c("Placebo", "IR"))
  d$visit <- factor(d$visit, levels = unique(d$visit[order(d$visit_num)]))
  d$subject <- factor(d$subject)
  d
}

if (mode == "refits") {
  all <- read.csv(args[2], stringsAsFactors = FALSE)
  lvec <- unlist(fromJSON(args[3]))
  reps <- split(all, all$replicate)
  out <- list(n = length(reps))
  if (have_mmrm) {
    res <- vector("list", length(reps))
    st <- system.time({
      for (i in seq_along(reps)) {
        d <- prep(reps[[i]])
        fit <- mmrm::mmrm(change ~ baseline + arm * visit + us(visit | subject), data = d,
                          reml = TRUE, method = "Satterthwaite")
        L <- matrix(lvec[names(coef(fit))], nrow = 1)
        r <- mmrm::df_1d(fit, L)
        res[[i]] <- c(r$est, r$se, r$df)
      }
    })
    t_mmrm <- st[["elapsed"]]
    cpu_mmrm <- st[["user.self"]] + st[["sys.self"]]
    m <- do.call(rbind, res)
    out$mmrm <- list(seconds = t_mmrm, cpu = cpu_mmrm, estimate = m[, 1], std_error = m[, 2], df = m[, 3],
                     version = as.character(packageVersion("mmrm")))
  }
  n_gls <- min(length(reps), 20)
  st <- system.time({
    for (i in seq_len(n_gls)) {
      d <- prep(reps[[i]])
      d <- d[!is.na(d$change), ]
      fit <- gls(change ~ baseline + arm * visit, data = d,
                 correlation = corSymm(form = ~ as.integer(visit) | subject),
                 weights = varIdent(form = ~ 1 | visit), method = "REML")
    }
  })
  out$gls <- list(seconds = st[["elapsed"]], cpu = st[["user.self"]] + st[["sys.self"]],
                  n = n_gls)
  write_json(out, args[4], digits = NA, auto_unbox = TRUE)
} else if (mode == "big") {
  d <- prep(read.csv(args[2], stringsAsFactors = FALSE))
  out <- list()
  if (have_mmrm) {
    st <- system.time({
      fit <- mmrm::mmrm(change ~ baseline + arm * visit + us(visit | subject), data = d,
                        reml = TRUE, method = "Satterthwaite")
    })
    out$mmrm <- list(seconds = st[["elapsed"]], cpu = st[["user.self"]] + st[["sys.self"]],
                     m2loglik = -2 * as.numeric(logLik(fit)),
                     version = as.character(packageVersion("mmrm")))
  }
  write_json(out, args[3], digits = NA, auto_unbox = TRUE)
}
