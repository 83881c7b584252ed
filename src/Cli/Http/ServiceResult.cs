namespace OpenDesign.Workflows.Cli.Http;

/// <summary>A successful answer: the typed value for people, and the exact bytes the service sent for <c>--json</c>.</summary>
internal sealed record ServiceResult<T>(T Value, byte[] Body);
