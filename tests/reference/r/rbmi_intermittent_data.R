# Simulated two-arm trial with monotone dropout, intermittent missing values and subjects
# without any post-baseline value, for the rbmi reference of irtrial.sensitivity.
# Writes tests/reference/data/rbmi_intermittent.csv (long: one row per subject x visit,
# value NA when missing). Base R only.
# Run from the repo root: Rscript tests/reference/r/rbmi_intermittent_data.R
set.seed(20240610)
n_per_arm <- 45
visits <- paste0("W", 1:5)
arms <- c("PBO", "ACT")
v <- length(visits)
sds <- c(3.0, 3.4, 3.8, 4.2, 4.6)
rho <- 0.6
cor <- rho^abs(outer(1:v, 1:v, "-"))
sigma <- diag(sds) %*% cor %*% diag(sds)
chol_s <- chol(sigma)
rows <- list()
id <- 0
for (arm in arms) {
  slope <- if (arm == "PBO") -0.8 else -1.7
  for (i in seq_len(n_per_arm)) {
    id <- id + 1
    base <- round(rnorm(1, 24, 4), 1)
    mu <- slope * (1:v) + 0.25 * (base - 24) * (1:v) / v
    chg <- mu + as.vector(rnorm(v) %*% chol_s)
    value <- round(base + chg, 2)
    # monotone dropout: hazard 7% per visit after the first
    drop <- v + 1
    for (t in 2:v) if (runif(1) < 0.07) { drop <- t; break }
    if (drop <= v) value[drop:v] <- NA
    # intermittent: each visit before the last observed one missing with prob 0.08
    last_obs <- max(which(!is.na(value)), 0)
    if (last_obs > 1) {
      for (t in 1:(last_obs - 1)) if (runif(1) < 0.08) value[t] <- NA
    }
    rows[[id]] <- data.frame(
      subject = sprintf("S%03d", id), arm = arm, visit = visits,
      baseline = base, value = value
    )
  }
}
dat <- do.call(rbind, rows)
# three subjects (one placebo, two active) with no post-baseline value at all
dat$value[dat$subject %in% c("S007", "S052", "S071")] <- NA
write.csv(dat, "tests/reference/data/rbmi_intermittent.csv", row.names = FALSE, na = "")
cat("subjects:", length(unique(dat$subject)), " missing:", sum(is.na(dat$value)), "\n")
