# Reference values for irtrial.analysis.effect_sizes: Cohen's d and Hedges' g with exact CIs.
# Run from the repository root:  Rscript tests/reference/r/effect_sizes.R
# Writes tests/reference/r/effect_sizes.json. R 4.2.2, base stats (+ jsonlite).
#
# Independent reference implementation: the CI of the noncentrality parameter is found by
# inverting pt(t, df, ncp) with uniroot (Steiger & Fouladi 1997), as MBESS::conf.limits.nct
# does; d's CI is ncp * sqrt(1/n1 + 1/n2); g = J(df) * d and its CI = J(df) * d's CI, with the
# exact J(df) = gamma(df/2) / (sqrt(df/2) * gamma((df-1)/2)) (Hedges 1981).
library(jsonlite)

ncp_limit <- function(t, df, target) {
  f <- function(ncp) pt(t, df, ncp) - target
  step <- max(2, abs(t)); lo <- t - step; hi <- t + step
  while (!(f(lo) > 0 && f(hi) < 0)) { lo <- lo - step; hi <- hi + step; step <- 2 * step }
  uniroot(f, c(lo, hi), tol = 1e-13)$root
}

smd <- function(x, y, conf_level) {
  n1 <- length(x); n2 <- length(y); df <- n1 + n2 - 2
  sp <- sqrt(((n1 - 1) * var(x) + (n2 - 1) * var(y)) / df)
  d <- (mean(x) - mean(y)) / sp
  s <- sqrt(1 / n1 + 1 / n2)
  t <- d / s
  alpha <- 1 - conf_level
  lo <- ncp_limit(t, df, 1 - alpha / 2) * s
  hi <- ncp_limit(t, df, alpha / 2) * s
  J <- exp(lgamma(df / 2) - lgamma((df - 1) / 2)) / sqrt(df / 2)
  se <- sqrt((n1 + n2) / (n1 * n2) + d^2 / (2 * (n1 + n2)))
  tt <- t.test(x, y, var.equal = TRUE)
  stopifnot(abs(tt$statistic - t) < 1e-10)
  list(cohens_d = list(estimate = d, std_error = se, ci_lower = lo, ci_upper = hi),
       hedges_g = list(estimate = J * d, std_error = J * se, ci_lower = J * lo, ci_upper = J * hi),
       df = df, statistic = t, p_value = tt$p.value, pooled_sd = sp, hedges_j = J)
}

set.seed(20063)
cases <- list(
  list(name = "moderate", x = round(rnorm(21, -3.9, 1.8), 5), y = round(rnorm(18, -1.4, 1.6), 5)),
  list(name = "small_effect", x = round(rnorm(15, 0.2, 1), 5), y = round(rnorm(17, 0, 1), 5)),
  list(name = "large_effect_tiny_n", x = c(-5.1, -4.2, -6.0), y = c(-0.5, 0.3, -1.2, 0.1)),
  list(name = "positive", x = round(rnorm(30, 2, 3), 5), y = round(rnorm(25, 0, 3), 5))
)
out <- list()
for (cs in cases) for (cl in c(0.95, 0.90)) {
  out[[length(out) + 1]] <- c(list(name = cs$name, conf_level = cl, x = cs$x, y = cs$y),
                              smd(cs$x, cs$y, cl))
}

path <- "data/synthetic/ir_wrap_trial.csv"
if (file.exists(path)) {
  d <- read.csv(path)
  base <- d[d$AVISITN == min(d$AVISITN), c("USUBJID", "AVAL")]
  names(base)[2] <- "BASE"
  last <- d[d$AVISITN == max(d$AVISITN) & !is.na(d$AVAL), c("USUBJID", "ARM", "AVAL")]
  e <- merge(last, base, by = "USUBJID")
  e$CHG <- e$AVAL - e$BASE
  e$PCHG <- ifelse(e$BASE == 0, NA, 100 * e$CHG / e$BASE)
  for (v in c("CHG", "PCHG")) {
    x <- e[[v]][e$ARM == "IR" & !is.na(e[[v]])]; y <- e[[v]][e$ARM == "Placebo" & !is.na(e[[v]])]
    out[[length(out) + 1]] <- c(list(name = paste0("synthetic_", v), conf_level = 0.95, x = x, y = y),
                                smd(x, y, 0.95))
  }
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/r/effect_sizes.json")
