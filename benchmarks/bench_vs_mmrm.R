# Peer timings for benchmarks/bench_vs_mmrm.py: R mmrm (openpharma/mmrm, built into /work/rlib)
# on the same data and the same contrasts, in the same run as irtrial.
# Usage: R_LIBS=/work/rlib Rscript bench_vs_mmrm.R bcva <bcva.csv> <L.json> <reps> <out.json>
#        R_LIBS=/work/rlib Rscript bench_vs_mmrm.R big <big.csv> <L.json> <out.json>
# bcva: BCVA_CHG ~ BCVA_BL + RACE + ARMCD * AVISIT + us(AVISIT | USUBJID), REML, timed `reps`
#   times each: (1) the fit with method = "Satterthwaite", (2) df_1d of the 10 visit contrasts
#   (TRT - CTL at each visit, the rows of L), (3) the fit with method = "Kenward-Roger",
#   vcov = "Kenward-Roger-Linear" (SAS KR(FIRSTORDER)), (4) df_1d of the same contrasts.
# big: change ~ baseline + arm * visit + us(visit | subject), REML, Satterthwaite, once, then
#   df_1d of the visit contrasts.
# Times: elapsed and CPU (user + system) from system.time.
suppressPackageStartupMessages({
  library(jsonlite)
  library(mmrm)
})
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]

timed <- function(expr) {
  st <- system.time(value <- force(expr))
  list(value = value, elapsed = st[["elapsed"]], cpu = st[["user.self"]] + st[["sys.self"]])
}

contrast_df <- function(fit, lmat) {
  L <- lmat[, names(coef(fit)), drop = FALSE]
  rows <- lapply(seq_len(nrow(L)), function(i) {
    r <- df_1d(fit, L[i, , drop = FALSE])
    c(r$est, r$se, r$df)
  })
  m <- do.call(rbind, rows)
  list(estimate = m[, 1], std_error = m[, 2], df = m[, 3])
}

read_l <- function(path) {
  l <- fromJSON(path)
  m <- if (is.matrix(l$rows)) l$rows else do.call(rbind, lapply(l$rows, unlist))
  colnames(m) <- l$columns
  m
}

if (mode == "bcva") {
  d <- read.csv(args[2], stringsAsFactors = FALSE)
  d$USUBJID <- factor(d$USUBJID)
  d$AVISIT <- factor(d$AVISIT, levels = sort(unique(d$AVISIT)))
  d$ARMCD <- factor(d$ARMCD, levels = c("CTL", "TRT"))
  d$RACE <- factor(d$RACE)
  lmat <- read_l(args[3])
  reps <- as.integer(args[4])
  f <- BCVA_CHG ~ BCVA_BL + RACE + ARMCD * AVISIT + us(AVISIT | USUBJID)
  out <- list(version = as.character(packageVersion("mmrm")), sat_fit = list(), sat_df = list(),
              kr_fit = list(), kr_df = list())
  for (i in seq_len(reps)) {
    a <- timed(mmrm(f, data = d, reml = TRUE, method = "Satterthwaite"))
    b <- timed(contrast_df(a$value, lmat))
    k <- timed(mmrm(f, data = d, reml = TRUE, method = "Kenward-Roger",
                    vcov = "Kenward-Roger-Linear"))
    kd <- timed(contrast_df(k$value, lmat))
    out$sat_fit[[i]] <- a[c("elapsed", "cpu")]
    out$sat_df[[i]] <- b[c("elapsed", "cpu")]
    out$kr_fit[[i]] <- k[c("elapsed", "cpu")]
    out$kr_df[[i]] <- kd[c("elapsed", "cpu")]
  }
  out$m2loglik <- -2 * as.numeric(logLik(a$value))
  out$sat <- b$value
  out$kr <- kd$value
  write_json(out, args[5], digits = NA, auto_unbox = TRUE)
} else if (mode == "big") {
  d <- read.csv(args[2], stringsAsFactors = FALSE)
  d$subject <- factor(d$subject)
  d$arm <- factor(d$arm, levels = c("Placebo", "IR"))
  d$visit <- factor(d$visit, levels = unique(d$visit[order(d$visit_num)]))
  lmat <- read_l(args[3])
  a <- timed(mmrm(change ~ baseline + arm * visit + us(visit | subject), data = d, reml = TRUE,
                  method = "Satterthwaite"))
  b <- timed(contrast_df(a$value, lmat))
  out <- list(version = as.character(packageVersion("mmrm")),
              fit = a[c("elapsed", "cpu")], df = b[c("elapsed", "cpu")],
              m2loglik = -2 * as.numeric(logLik(a$value)), sat = b$value)
  write_json(out, args[4], digits = NA, auto_unbox = TRUE)
}
