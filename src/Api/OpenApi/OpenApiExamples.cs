namespace OpenDesign.Workflows.Api.OpenApi;

/// <summary>Example request bodies for the operations a new caller starts with, keyed by operation id.</summary>
internal static class OpenApiExamples
{
    private static readonly Dictionary<string, string> Bodies = new(StringComparer.Ordinal)
    {
        ["CreateProject"] = """{"name":"launch campaign"}""",
        ["CreateRun"] = """
            {"projectId":"proj_01jq8k3m5n","agentId":"designer","message":"Make a launch poster",
             "mediaExecution":{"mode":"request-only","allowedSurfaces":["image"],"allowedModels":["gpt-image-1"]}}
            """,
        ["GenerateMedia"] = """
            {"surface":"image","prompt":"A launch poster, bold type on a dark gradient","model":"gpt-image-1",
             "output":"poster.png","aspect":"3:4"}
            """,
        ["FulfillMediaRequest"] = """{"file":"renders/poster.png"}""",
        ["FailMediaRequest"] = """{"message":"the provider refused the prompt","code":"PROVIDER_REFUSED"}""",
        ["FinishRun"] = """{"status":"succeeded"}""",
    };

    public static string? For(string? operationId) => operationId is not null && Bodies.TryGetValue(operationId, out var body) ? body : null;
}
