package dev.slipway.batch;

/** What a scoring pass did: rows scored and rows set aside in the quarantine. */
public record ScoringSummary(long scored, long quarantined) {}
