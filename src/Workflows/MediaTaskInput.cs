namespace OpenDesign.Workflows.Workflows;

/// <summary>
/// What the workflow needs to run one media task. The task itself (prompt included) lives in SQLite and is read by the
/// activities, so history carries ids and settings, never bytes or credentials.
/// </summary>
/// <param name="ProviderAttempts">Attempts of a provider call (429, 5xx, transport) before the task fails.</param>
/// <param name="ProviderRetryInterval">The first retry's delay; later ones double, up to a minute. A 429's Retry-After wins.</param>
/// <param name="PollInterval">Between polls of a pending job when the provider does not say.</param>
public sealed record MediaTaskInput(
    string TaskId,
    string? RunId,
    string ProjectId,
    int ProviderAttempts,
    TimeSpan ProviderRetryInterval,
    TimeSpan PollInterval,
    bool UseSearchAttributes);
