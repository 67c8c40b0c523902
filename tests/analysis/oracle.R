# The R `survey` package as the oracle for safepath.analysis (tests/analysis/r_oracle.py runs it).
# Reads a JSON list of cases, writes a JSON list of result rows (or an error per case).
suppressMessages({
  library(survey)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
cases <- read_json(args[1], simplifyVector = FALSE)

tidy <- function(m, case, var, by) {
  est <- coef(m)
  if (by) {
    df <- as.data.frame(m)
    se <- as.vector(as.matrix(df[, grep("^se$|^se[.]", names(df)), drop = FALSE]))
    de <- df[, grep("^DEff$|^DEff[.]", names(df)), drop = FALSE]
    de <- if (ncol(de)) as.vector(as.matrix(de)) else rep(NA, length(est))
    key <- names(est)
    group <- sub(":[^:]*$", "", key)
    name <- sub("^.*:", "", key)
    if (length(est) == nrow(df)) {  # one statistic: coef names are the groups
      group <- key
      name <- rep(var, length(est))
    }
  } else {
    se <- SE(m)
    de <- attr(m, "deff")
    de <- if (is.null(de)) rep(NA, length(est)) else diag(as.matrix(de))
    group <- rep("", length(est))
    name <- names(est)
  }
  ci <- confint(m)
  data.frame(case = case, var = var, group = group, name = name, est = unname(est),
             se = unname(se), lo = unname(ci[, 1]), hi = unname(ci[, 2]), deff = unname(de),
             stringsAsFactors = FALSE)
}

run_case <- function(cs) {
  d <- read.csv(cs$data, stringsAsFactors = FALSE, na.strings = c("NA", ""))
  options(survey.lonely.psu = cs$lonely)
  ids <- if (is.null(cs$cluster)) ~1 else as.formula(paste0("~", cs$cluster))
  strata <- if (is.null(cs$strata)) NULL else as.formula(paste0("~", cs$strata))
  weights <- if (is.null(cs$weight)) NULL else as.formula(paste0("~", cs$weight))
  vars <- unlist(cs$vars)
  if (!is.null(cs$exclude)) for (v in vars) d[[v]][d[[v]] %in% unlist(cs$exclude)] <- NA
  if (identical(cs$kind, "factor")) for (v in vars) d[[v]] <- factor(d[[v]])
  if (identical(cs$kind, "tokens")) {  # a space-separated select_multiple, one 0/1 per option
    x <- d[[vars]]
    parts <- strsplit(trimws(ifelse(is.na(x), "", x)), " +")
    options <- sort(unique(unlist(parts)))
    options <- options[options != ""]
    vars <- paste0("tok_", options)
    for (o in options) d[[paste0("tok_", o)]] <- ifelse(is.na(x), NA, sapply(parts, function(p) as.numeric(o %in% p)))
  }
  if (!is.null(cs$indicator)) {  # a 0/1 from a numeric threshold, e.g. phase >= 3
    d[[cs$indicator$name]] <- as.numeric(d[[cs$indicator$column]] >= cs$indicator$at_least)
    vars <- cs$indicator$name
  }
  des <- suppressWarnings(svydesign(ids = ids, strata = strata, weights = weights, nest = TRUE, data = d))
  deff <- if (identical(cs$deff, "replace")) "replace" else TRUE
  out <- list()
  for (v in vars) {
    f <- as.formula(paste0("~", v))
    r <- tryCatch({
      rows <- list(tidy(suppressWarnings(svymean(f, des, na.rm = TRUE, deff = deff)), cs$id, v, FALSE))
      if (length(cs$by)) {
        byf <- as.formula(paste0("~", paste(unlist(cs$by), collapse = "+")))
        b <- suppressWarnings(svyby(f, byf, des, svymean, na.rm = TRUE, deff = deff))
        rows <- c(rows, list(tidy(b, cs$id, v, TRUE)))
      }
      if (!is.null(cs$ratio)) {  # people-weighted share: svyratio(~I(y * size), ~size)
        num <- as.formula(paste0("~I(", v, "*", cs$ratio, ")"))
        den <- as.formula(paste0("~", cs$ratio))
        rt <- svyratio(num, den, des, na.rm = TRUE)
        ci <- confint(rt)
        rows <- c(rows, list(data.frame(case = cs$id, var = paste0(v, "/", cs$ratio), group = "",
          name = v, est = as.vector(coef(rt)), se = as.vector(SE(rt)), lo = ci[1, 1],
          hi = ci[1, 2], deff = NA, stringsAsFactors = FALSE)))
        if (length(cs$by)) {
          rb <- svyby(num, byf, des, svyratio, denominator = den, na.rm = TRUE)
          cib <- confint(rb)
          rows <- c(rows, list(data.frame(case = cs$id, var = paste0(v, "/", cs$ratio),
            group = as.character(rb[[1]]), name = v, est = as.vector(coef(rb)),
            se = as.vector(SE(rb)), lo = cib[, 1], hi = cib[, 2], deff = NA,
            stringsAsFactors = FALSE)))
        }
      }
      do.call(rbind, rows)
    }, error = function(e) e)
    if (inherits(r, "error")) return(data.frame(case = cs$id, var = v, error = conditionMessage(r)))
    out <- c(out, list(r))
  }
  do.call(rbind, out)
}

results <- lapply(cases, run_case)
write_json(results, args[2], digits = NA, na = "null")
