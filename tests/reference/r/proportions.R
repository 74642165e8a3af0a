# Reference values for src/irtrial/analysis/proportions.py, computed independently in base R.
# Run from the repository root:  Rscript tests/reference/r/proportions.R
# Writes tests/reference/r/proportions.json and proportions_conf90.json (90% intervals).
#
# - Wilson:  prop.test(x, n, correct = FALSE)$conf.int (R's own score interval)
# - Newcombe method 10 (Newcombe 1998): from those Wilson limits
# - Miettinen-Nurminen (1985): written here independently of the Python code: the restricted
#   MLE is found by *numerical* maximisation of the binomial log-likelihood (optimize), not by
#   the closed-form cubic used in Python; the interval by uniroot on the score statistic.
# - RR (Katz log) and OR (Woolf logit), 0.5 added to every cell when any cell is 0
# - fisher.test (p, conditional MLE OR, exact CI); chisq.test(correct = FALSE / TRUE)
suppressPackageStartupMessages(library(jsonlite))

mn_restricted <- function(x1, n1, x0, n0, delta) {
  ll <- function(p0) {
    p1 <- p0 + delta
    t <- function(k, p) if (k > 0) k * log(p) else 0
    t(x1, p1) + t(n1 - x1, 1 - p1) + t(x0, p0) + t(n0 - x0, 1 - p0)
  }
  lo <- max(0, -delta); hi <- min(1, 1 - delta)
  p0 <- optimize(ll, c(lo, hi), maximum = TRUE, tol = 1e-14)$maximum
  c(p0 + delta, p0)
}
mn_z <- function(x1, n1, x0, n0, delta) {
  num <- x1 / n1 - x0 / n0 - delta
  if (num == 0) return(0)
  p <- mn_restricted(x1, n1, x0, n0, delta)
  N <- n1 + n0
  v <- (p[1] * (1 - p[1]) / n1 + p[2] * (1 - p[2]) / n0) * N / (N - 1)
  if (v <= 0) return(sign(num) * Inf)
  num / sqrt(v)
}
mn_ci <- function(x1, n1, x0, n0, conf = 0.95) {
  zc <- qnorm(1 - (1 - conf) / 2)
  d <- x1 / n1 - x0 / n0
  e <- 1 - 1e-12
  lower <- -1; upper <- 1
  if (d > -1 && mn_z(x1, n1, x0, n0, -e) > zc)
    lower <- uniroot(function(t) mn_z(x1, n1, x0, n0, t) - zc, c(-e, d), tol = 1e-13)$root
  if (d < 1 && mn_z(x1, n1, x0, n0, e) < -zc)
    upper <- uniroot(function(t) mn_z(x1, n1, x0, n0, t) + zc, c(d, e), tol = 1e-13)$root
  c(lower, upper)
}
# the exact conditional OR interval as fisher.test defines it, but solved to 1e-14 (fisher.test
# itself calls uniroot at its default tolerance, ~1e-4, which moves a large upper limit by ~1%)
exact_or_ci <- function(x1, n1, x0, n0, conf = 0.95) {
  alpha <- (1 - conf) / 2
  m <- x1 + x0; lo <- max(0, m - n0); hi <- min(n1, m); s <- lo:hi
  logdc <- dhyper(s, n1, n0, m, log = TRUE)
  d <- function(lpsi) { w <- logdc + s * lpsi; w <- exp(w - max(w)); w / sum(w) }
  if (lo == hi) return(c(NA, 0, Inf))
  est <- if (x1 == lo) 0 else if (x1 == hi) Inf else
    exp(uniroot(function(t) sum(s * d(t)) - x1, c(-50, 50), tol = 1e-14)$root)
  l <- if (x1 == lo) 0 else exp(uniroot(function(t) sum(d(t)[s >= x1]) - alpha, c(-50, 50),
                                        tol = 1e-14)$root)
  u <- if (x1 == hi) Inf else exp(uniroot(function(t) sum(d(t)[s <= x1]) - alpha, c(-50, 50),
                                          tol = 1e-14)$root)
  c(est, l, u)
}
wilson <- function(x, n) as.numeric(prop.test(x, n, correct = FALSE)$conf.int)

one <- function(x1, n1, x0, n0) {
  z <- qnorm(0.975)
  p1 <- x1 / n1; p0 <- x0 / n0; d <- p1 - p0
  w1 <- wilson(x1, n1); w0 <- wilson(x0, n0)
  nc <- c(max(-1, d - sqrt((p1 - w1[1])^2 + (w0[2] - p0)^2)),
          min(1, d + sqrt((w1[2] - p1)^2 + (p0 - w0[1])^2)))
  mn <- mn_ci(x1, n1, x0, n0)
  z0 <- mn_z(x1, n1, x0, n0, 0)
  cells <- c(x1, n1 - x1, x0, n0 - x0)
  if (any(cells == 0)) cells <- cells + 0.5
  a <- cells[1]; b <- cells[2]; cc <- cells[3]; dd <- cells[4]
  lrr <- log((a / (a + b)) / (cc / (cc + dd)))
  serr <- sqrt(1 / a - 1 / (a + b) + 1 / cc - 1 / (cc + dd))
  lor <- log(a * dd / (b * cc)); seor <- sqrt(1 / a + 1 / b + 1 / cc + 1 / dd)
  tab <- matrix(c(x1, n1 - x1, x0, n0 - x0), 2, byrow = TRUE)
  ft <- fisher.test(tab)
  cs <- suppressWarnings(chisq.test(tab, correct = FALSE))
  cy <- suppressWarnings(chisq.test(tab, correct = TRUE))
  nm <- function(v) if (is.null(v) || is.nan(v)) NA else unname(v)
  list(x1 = x1, n1 = n1, x0 = x0, n0 = n0,
       wilson1 = w1, wilson0 = w0, rd = d, newcombe = nc,
       mn = mn, mn_z0 = z0, mn_p0 = 2 * pnorm(-abs(z0)),
       mn_z_null_m01 = mn_z(x1, n1, x0, n0, -0.1), mn_z_null_p01 = mn_z(x1, n1, x0, n0, 0.1),
       rr = exp(lrr), rr_se = serr, rr_ci = exp(lrr + c(-1, 1) * z * serr),
       or = exp(lor), or_se = seor, or_ci = exp(lor + c(-1, 1) * z * seor),
       fisher_p = ft$p.value, fisher_or = nm(ft$estimate), fisher_or_ci = as.numeric(ft$conf.int),
       exact_or = exact_or_ci(x1, n1, x0, n0),
       chisq = nm(cs$statistic), chisq_p = nm(cs$p.value),
       yates = nm(cy$statistic), yates_p = nm(cy$p.value))
}

if (sys.nframe() == 0L) {  # run as a script, not when sourced by responders.R
tables <- list(
  c(7, 34, 1, 34),    # Perondi et al. 2004 (Fagerland et al. 2017, ch. 4)
  c(0, 16, 15, 72),   # Ritland et al. 2007 (Fagerland et al. 2017, ch. 4)
  c(56, 70, 48, 80),  # Newcombe 1998, Table II example (a)
  c(9, 10, 3, 10),    # (b)
  c(6, 7, 2, 7),      # (c)
  c(5, 56, 0, 29),    # (d)
  c(0, 10, 0, 20),    # (e) zero events in both arms
  c(0, 10, 0, 10),    # (f)
  c(10, 10, 0, 20),   # (g)
  c(10, 10, 0, 10),   # (h)
  c(3, 4, 1, 4),      # small table, Pearson chi-square 2.000
  c(11, 21, 2, 18),   # IR-wrap-like: >= 50% reduction
  c(14, 21, 4, 18),   # IR-wrap-like: >= 30% reduction
  c(21, 21, 18, 18),  # all responders in both arms
  c(0, 21, 5, 18)     # harm direction
)
out <- lapply(tables, function(t) one(t[1], t[2], t[3], t[4]))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "string", pretty = TRUE),
           "tests/reference/r/proportions.json")
# 90% intervals: Wilson (prop.test conf.level), Newcombe, MN
out90 <- lapply(tables[c(1, 2, 3, 6, 12)], function(t) {
  w1 <- as.numeric(prop.test(t[1], t[2], correct = FALSE, conf.level = 0.9)$conf.int)
  w0 <- as.numeric(prop.test(t[3], t[4], correct = FALSE, conf.level = 0.9)$conf.int)
  p1 <- t[1] / t[2]; p0 <- t[3] / t[4]; d <- p1 - p0
  list(x1 = t[1], n1 = t[2], x0 = t[3], n0 = t[4], wilson1 = w1, wilson0 = w0,
       newcombe = c(max(-1, d - sqrt((p1 - w1[1])^2 + (w0[2] - p0)^2)),
                    min(1, d + sqrt((w1[2] - p1)^2 + (p0 - w0[1])^2))),
       mn = mn_ci(t[1], t[2], t[3], t[4], conf = 0.9))
})
writeLines(toJSON(out90, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/r/proportions_conf90.json")
cat("R", R.version$major, R.version$minor, "\n")
}
