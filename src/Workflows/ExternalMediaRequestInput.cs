namespace OpenDesign.Workflows.Workflows;

/// <summary>
/// What the workflow needs to run one external media request. The request itself lives in SQLite and is read by the
/// activities, so history carries ids and settings, never prompts' bytes or credentials.
/// </summary>
public sealed record ExternalMediaRequestInput(
    string RequestId,
    string RunId,
    string ProjectId,
    TimeSpan Deadline,
    TimeSpan StatusPollInterval,
    bool UseSearchAttributes);
