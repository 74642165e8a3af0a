# Simulated power of the last-visit MMRM contrast, computed in R with mmrm (its own random
# numbers, so irtrial's simulation is compared within Monte Carlo error, not bit for bit).
# Used by tests/power/test_simulate.py::test_simulated_power_agrees_with_r_mmrm_simulation.
# Run: R_LIBS=/work/rlib Rscript tests/reference/r/power_mmrm_sim.R  (about a minute)
# Design (the same as the test's TrialDesign): arms Placebo/Active, 30 per arm, visits 0-3
# (0 = baseline), means Placebo 10, 10, 10, 10 and Active 10, 9.6, 9.3, 9.1; covariance
# 1.5^2 (random intercept) + 1.0^2 * 0.5^|j-k| (AR(1) residuals); MCAR dropout: hazard 0.1
# before each post-baseline visit. Analysis: change ~ baseline + arm * visit, us(visit | id),
# REML, Satterthwaite; contrast Active - Placebo at visit 3 (alpha 0.05, two-sided).
suppressPackageStartupMessages({library(mmrm); library(jsonlite); library(MASS)})
set.seed(20261129)
n_sim <- 600; n <- 30; hazard <- 0.1
mu <- rbind(c(10, 10, 10, 10), c(10, 9.6, 9.3, 9.1))
S <- 1.5^2 + 1.0^2 * 0.5^abs(outer(0:3, 0:3, "-"))
one <- function() {
  arm <- rep(0:1, each = n)
  y <- t(sapply(arm, function(a) mvrnorm(1, mu[a + 1, ], S)))
  last <- rep(3, 2 * n)
  for (j in 1:3) {  # leave before visit j with probability hazard
    leave <- last >= j & runif(2 * n) < hazard
    last[leave] <- j - 1
  }
  d <- data.frame(id = factor(rep(seq_len(2 * n), each = 3)), visit = factor(rep(1:3, 2 * n)),
                  arm = factor(rep(c("Placebo", "Active")[arm + 1], each = 3),
                               levels = c("Placebo", "Active")),
                  baseline = rep(y[, 1], each = 3),
                  change = as.vector(t(y[, 2:4] - y[, 1])))
  d$change[rep(last, each = 3) < rep(1:3, 2 * n)] <- NA
  d <- d[!is.na(d$change), ]
  fit <- try(mmrm(change ~ baseline + arm * visit + us(visit | id), data = d,
                  method = "Satterthwaite"), silent = TRUE)
  if (inherits(fit, "try-error")) return(c(NA, NA, NA, NA))
  L <- setNames(numeric(length(coef(fit))), names(coef(fit)))
  L[c("armActive", "armActive:visit3")] <- 1
  r <- df_1d(fit, L)
  c(r$est, r$se, r$df, r$p_val)
}
t0 <- Sys.time()
res <- t(replicate(n_sim, one()))
elapsed <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
ok <- !is.na(res[, 4])
truth <- (9.1 - 10) - (S[4, 1] / S[1, 1]) * 0
q <- qt(0.975, res[ok, 3])
out <- list(n_sim = n_sim, n_failed = sum(!ok), power = mean(ok & res[, 4] < 0.05, na.rm = TRUE),
            mean_estimate = mean(res[ok, 1]), empirical_se = sd(res[ok, 1]),
            mean_std_error = mean(res[ok, 2]), mean_df = mean(res[ok, 3]),
            coverage = mean(res[ok, 1] - q * res[ok, 2] <= truth & truth <= res[ok, 1] + q * res[ok, 2]),
            seconds = elapsed, seconds_per_replicate = elapsed / n_sim,
            mmrm_version = as.character(packageVersion("mmrm")), R_version = R.version.string)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/r/power_mmrm_sim.json")
