# Reference values for irtrial.power's analytic functions (tests/power/test_analytic.py,
# test_proportions.py, test_longitudinal.py).
# Run: R_LIBS=/work/rlib Rscript tests/reference/r/power_analytic.R  (writes power_analytic.json)
# Needs: stats, Hmisc (bpower), jsonlite, and longpower (built from github.com/mcdonohue/longpower
# into a scratch library; not part of the repo).
suppressPackageStartupMessages({library(jsonlite); library(Hmisc); library(longpower)})
tol <- 1e-12
out <- list()

# ---- t test: stats::power.t.test (equal allocation) -------------------------------------
tt <- function(...) { r <- power.t.test(..., tol = tol); list(n = r$n, power = r$power) }
out$ttest <- list(
  list(args = list(delta = 1, sd = 1, power = 0.9), r = tt(delta = 1, sd = 1, power = 0.9)),
  list(args = list(delta = 0.5, sd = 1.2, n = 40), r = tt(delta = 0.5, sd = 1.2, n = 40)),
  list(args = list(delta = 2, sd = 3, power = 0.8, alternative = "one-sided"),
       r = tt(delta = 2, sd = 3, power = 0.8, alternative = "one.sided")),
  list(args = list(delta = 1, sd = 1, n = 6, strict = TRUE),
       r = tt(delta = 1, sd = 1, n = 6, strict = TRUE)),
  list(args = list(delta = -1.5, sd = 2, power = 0.95, alpha = 0.01),
       r = tt(delta = -1.5, sd = 2, power = 0.95, sig.level = 0.01))
)

# ---- unequal allocation and ANCOVA: noncentral t written out with stats::pt ------------
# n0 = control, n1 = ratio * n0; ANCOVA: sd * sqrt(1 - rho^2) and one df fewer.
pw <- function(n0, delta, sd, ratio, alpha = 0.05, lost = 0) {
  n1 <- ratio * n0; nu <- n0 + n1 - 2 - lost
  pt(qt(alpha / 2, nu, lower.tail = FALSE), nu,
     ncp = abs(delta) / (sd * sqrt(1 / n0 + 1 / n1)), lower.tail = FALSE)
}
solve_n <- function(target, ...) uniroot(function(n) pw(n, ...) - target, c(3, 1e6), tol = tol)$root
out$ttest_ratio <- list(
  list(args = list(delta = 1, sd = 1.5, n = 30, ratio = 2), power = pw(30, 1, 1.5, 2)),
  list(args = list(delta = 1, sd = 1.5, power = 0.9, ratio = 2), n = solve_n(0.9, 1, 1.5, 2)),
  list(args = list(delta = 0.8, sd = 1, power = 0.8, ratio = 0.5), n = solve_n(0.8, 0.8, 1, 0.5))
)
out$ancova <- list(
  list(args = list(delta = 1, sd = 2, rho = 0.6, power = 0.9),
       n = solve_n(0.9, 1, 2 * sqrt(1 - 0.36), 1, lost = 1)),
  list(args = list(delta = 1, sd = 2, rho = 0.5, n = 25),
       power = pw(25, 1, 2 * sqrt(0.75), 1, lost = 1)),
  list(args = list(delta = 1, sd = 2, rho = 0.3, n = 20, ratio = 1.5),
       power = pw(20, 1, 2 * sqrt(1 - 0.09), 1.5, lost = 1))
)

# ---- proportions: stats::power.prop.test and Hmisc::bpower (unequal n, both tails) ----
pp <- function(...) { r <- power.prop.test(..., tol = tol); list(n = r$n, power = r$power) }
out$prop <- list(
  list(args = list(p1 = 0.3, p2 = 0.5, power = 0.9), r = pp(p1 = 0.3, p2 = 0.5, power = 0.9)),
  list(args = list(p1 = 0.3, p2 = 0.5, n = 50), r = pp(p1 = 0.3, p2 = 0.5, n = 50)),
  list(args = list(p1 = 0.6, p2 = 0.4, power = 0.8, alternative = "one-sided"),
       r = pp(p1 = 0.6, p2 = 0.4, power = 0.8, alternative = "one.sided")),
  list(args = list(p1 = 0.2, p2 = 0.35, n = 30, strict = TRUE),
       r = pp(p1 = 0.2, p2 = 0.35, n = 30, strict = TRUE))
)
out$bpower <- list(
  list(args = list(p1 = 0.3, p2 = 0.5, n = 40, ratio = 1.5, strict = TRUE),
       power = unname(bpower(p1 = 0.3, p2 = 0.5, n1 = 40, n2 = 60))),
  list(args = list(p1 = 0.25, p2 = 0.4, n = 100, ratio = 0.5, strict = TRUE),
       power = unname(bpower(p1 = 0.25, p2 = 0.4, n1 = 100, n2 = 50)))
)

# ---- exact power of the Newcombe / Miettinen-Nurminen interval (own enumeration) -------
wilson <- function(x, n, z) {
  p <- x / n; c <- p + z^2 / (2 * n); h <- z * sqrt(p * (1 - p) / n + z^2 / (4 * n^2))
  cbind((c - h) / (1 + z^2 / n), (c + h) / (1 + z^2 / n))
}
exact_power <- function(n0, n1, p1, p2, alpha, method) {
  z <- qnorm(1 - alpha / 2); tot <- 0
  w0 <- wilson(0:n0, n0, z); w1 <- wilson(0:n1, n1, z)
  for (x0 in 0:n0) for (x1 in 0:n1) {
    q0 <- x0 / n0; q1 <- x1 / n1; d <- q1 - q0
    if (method == "newcombe") {
      lo <- d - sqrt((q1 - w1[x1 + 1, 1])^2 + (w0[x0 + 1, 2] - q0)^2)
      up <- d + sqrt((w1[x1 + 1, 2] - q1)^2 + (q0 - w0[x0 + 1, 1])^2)
      rej <- lo > 0 || up < 0
    } else {  # MN score test of p2 - p1 = 0: restricted MLE = pooled proportion
      N <- n0 + n1; pb <- (x0 + x1) / N
      v <- pb * (1 - pb) * (1 / n0 + 1 / n1) * N / (N - 1)
      rej <- v > 0 && abs(d / sqrt(v)) > z
    }
    if (rej) tot <- tot + dbinom(x0, n0, p1) * dbinom(x1, n1, p2)
  }
  tot
}
out$exact <- list(
  list(args = list(p1 = 0.3, p2 = 0.5, n = 40, ratio = 1.5, method = "newcombe"),
       power = exact_power(40, 60, 0.3, 0.5, 0.05, "newcombe")),
  list(args = list(p1 = 0.3, p2 = 0.5, n = 40, ratio = 1.5, method = "mn"),
       power = exact_power(40, 60, 0.3, 0.5, 0.05, "mn")),
  list(args = list(p1 = 0.1, p2 = 0.3, n = 25, ratio = 1, method = "newcombe"),
       power = exact_power(25, 25, 0.1, 0.3, 0.05, "newcombe")),
  list(args = list(p1 = 0.1, p2 = 0.3, n = 25, ratio = 1, method = "mn"),
       power = exact_power(25, 25, 0.1, 0.3, 0.05, "mn"))
)

# ---- MMRM with dropout: longpower::power.mmrm and power.mmrm.ar1 ------------------------
# longpower's group a = irtrial's active arm (retention), b = control; lambda = Na/Nb = ratio;
# N = total. irtrial's n = Nb.
Ra <- matrix(0.25, 4, 4); diag(Ra) <- 1
ra <- c(1, 0.90, 0.80, 0.70)
rb <- c(1, 0.95, 0.90, 0.85)
U <- matrix(c(1, .6, .5, .4, .6, 1, .7, .6, .5, .7, 1, .8, .4, .6, .8, 1), 4)
lp <- function(r) list(n1 = r$n1, n2 = r$n2, power = r$power, delta = r$delta)
out$mmrm <- list(
  list(args = list(delta = 0.5, sd = 1, correlation = Ra, retention = ra, power = 0.8),
       r = lp(power.mmrm(Ra = Ra, ra = ra, sigmaa = 1, delta = 0.5, power = 0.8))),
  list(args = list(delta = 0.5, sd = 1, correlation = Ra, retention = ra, n = 87),
       r = lp(power.mmrm(N = 174, Ra = Ra, ra = ra, sigmaa = 1, delta = 0.5))),
  list(args = list(delta = 0.5, sd = 1, correlation = Ra, retention = ra, power = 0.8, ratio = 2),
       r = lp(power.mmrm(Ra = Ra, ra = ra, sigmaa = 1, delta = 0.5, power = 0.8, lambda = 2))),
  list(args = list(delta = 2, sd = 3, correlation = U, retention = ra, retention_control = rb,
                   power = 0.9),
       r = lp(power.mmrm(Ra = U, ra = ra, sigmaa = 3, rb = rb, delta = 2, power = 0.9))),
  list(args = list(delta = 2, sd = 3, correlation = U, retention = ra, retention_control = rb,
                   n = 40, ratio = 1.5, alternative = "one-sided"),
       r = lp(power.mmrm(N = 100, Ra = U, ra = ra, sigmaa = 3, rb = rb, delta = 2,
                         lambda = 1.5, alternative = "one.sided")))
)
ra5 <- c(100, 76, 63, 52) / 100; rb5 <- c(100, 87, 81, 78) / 100
lp1 <- function(r) list(n1 = r$n1, n2 = r$n2, power = r$power, phi1 = r$phi1, phi2 = r$phi2)
out$mmrm_ar1 <- list(
  list(args = list(delta = 0.9, sd = 1, rho_ar1 = 0.6, retention = ra5, retention_control = rb5,
                   power = 0.903),
       r = lp1(power.mmrm.ar1(rho = 0.6, ra = ra5, sigmaa = 1, rb = rb5, lambda = 1,
                              power = 0.903, delta = 0.9))),
  list(args = list(delta = 0.9, sd = 1, rho_ar1 = 0.6, retention = ra5, retention_control = rb5,
                   power = 0.904, ratio = 2),
       r = lp1(power.mmrm.ar1(rho = 0.6, ra = ra5, sigmaa = 1, rb = rb5, lambda = 2,
                              power = 0.904, delta = 0.9))),
  list(args = list(delta = 1, sd = 2, rho_ar1 = 0.7, retention = c(1, .9, .85, .8, .7),
                   times = c(0, 1, 2, 4, 8), n = 50),
       r = lp1(power.mmrm.ar1(N = 100, rho = 0.7, ra = c(1, .9, .85, .8, .7), sigmaa = 2,
                              times = c(0, 1, 2, 4, 8), delta = 1)))
)
# small-sample (t) version: noncentral t with the Lu-Luo-Chen SE and
# df = expected completers (n0 * rb[J] + n1 * ra[J]) - df_lost; phi from longpower
ar <- power.mmrm.ar1(N = 100, rho = 0.6, ra = ra5, sigmaa = 1, rb = rb5, lambda = 1.5, delta = 0.9)
pw_t <- function(n0, delta, sd, phia, phib, ra, rb, ratio, lost, alpha = 0.05) {
  n1 <- ratio * n0; J <- length(ra); nu <- n0 * rb[J] + n1 * ra[J] - lost
  pt(qt(alpha / 2, nu, lower.tail = FALSE), nu,
     ncp = abs(delta) / (sd * sqrt(phia / n1 + phib / n0)), lower.tail = FALSE)
}
out$mmrm_t <- list(
  list(args = list(delta = 0.9, sd = 1, rho_ar1 = 0.6, retention = ra5, retention_control = rb5,
                   n = 20, ratio = 1.5, test = "t", df_lost = 3),
       power = pw_t(20, 0.9, 1, ar$phi1, ar$phi2, ra5, rb5, 1.5, 3)),
  list(args = list(delta = 0.9, sd = 1, rho_ar1 = 0.6, retention = ra5, retention_control = rb5,
                   power = 0.9, ratio = 1.5, test = "t", df_lost = 3),
       n = uniroot(function(n) pw_t(n, 0.9, 1, ar$phi1, ar$phi2, ra5, rb5, 1.5, 3) - 0.9,
                   c(3, 1e4), tol = tol)$root)
)
out$R_version <- R.version.string
out$longpower_version <- as.character(packageVersion("longpower"))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/r/power_analytic.json")
