# Peer of benchmarks/bench_power.py: the same simulated power study in R with mmrm.
# Usage: R_LIBS=/work/rlib Rscript benchmarks/bench_power_peer.R design.json n_reps
# design.json (written by bench_power.py): means (arms x visits, baseline first), covariance
# (visits x visits), n_per_arm, hazard (arms x post-baseline visits), scale (or null).
# Prints JSON: seconds, seconds_per_replicate, power, n_failed.
suppressPackageStartupMessages({library(mmrm); library(jsonlite); library(MASS)})
args <- commandArgs(TRUE)
d <- fromJSON(args[1]); n_reps <- as.integer(args[2])
set.seed(1)
mu <- as.matrix(d$means); S <- as.matrix(d$covariance); haz <- as.matrix(d$hazard)
v <- ncol(mu); J <- v - 1; arms <- seq_len(nrow(mu)) - 1
one <- function() {
  arm <- rep(arms, d$n_per_arm); n <- length(arm)
  y <- mu[arm + 1, ] + mvrnorm(n, rep(0, v), S)
  if (!is.null(d$scale)) y <- pmin(pmax(round(y), d$scale[1]), d$scale[2])
  last <- rep(J, n)
  for (j in 1:J) {
    leave <- last >= j & runif(n) < haz[cbind(arm + 1, j)]
    last[leave] <- j - 1
  }
  dd <- data.frame(id = factor(rep(seq_len(n), each = J)), visit = factor(rep(1:J, n)),
                   arm = factor(rep(arm, each = J)), baseline = rep(y[, 1], each = J),
                   change = as.vector(t(y[, -1] - y[, 1])))
  dd <- dd[rep(last, each = J) >= rep(1:J, n), ]
  fit <- try(mmrm(change ~ baseline + arm * visit + us(visit | id), data = dd,
                  method = "Satterthwaite"), silent = TRUE)
  if (inherits(fit, "try-error")) return(NA)
  L <- setNames(numeric(length(coef(fit))), names(coef(fit)))
  L[c("arm1", paste0("arm1:visit", J))] <- 1
  df_1d(fit, L)$p_val
}
t0 <- Sys.time()
p <- replicate(n_reps, one())
s <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
cat(toJSON(list(seconds = s, seconds_per_replicate = s / n_reps,
                power = mean(p < 0.05, na.rm = TRUE), n_failed = sum(is.na(p))),
           auto_unbox = TRUE, digits = NA), "\n")
