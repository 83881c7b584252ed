using System.Text.Json.Nodes;

namespace OpenDesign.Workflows.Activities.Providers.Replicate;

/// <summary>A catalog model hosted on Replicate: the official model that runs it, and its input built from the job.</summary>
internal sealed record ReplicateModel(string Owner, string Name, Func<ProviderJob, JsonObject> Input);

/// <summary>
/// Catalog id -> Replicate official model. Each model names its inputs its own way, so each mapping builds them; the
/// aspect is passed as <c>aspect_ratio</c>, which all of these accept for Open Design's five aspects (Kling: three).
/// </summary>
internal static class ReplicateModels
{
    public static IReadOnlyDictionary<string, ReplicateModel> ByCatalogId { get; } = new Dictionary<string, ReplicateModel>
    {
        ["flux-schnell"] = new("black-forest-labs", "flux-schnell", j => new JsonObject
        {
            ["prompt"] = j.Prompt,
            ["aspect_ratio"] = j.Aspect ?? "1:1",
            ["output_format"] = "png",
        }),
        ["ideogram-v2"] = new("ideogram-ai", "ideogram-v2", j => new JsonObject
        {
            ["prompt"] = j.Prompt,
            ["aspect_ratio"] = j.Aspect ?? "1:1",
        }),
        ["sd-3.5"] = new("stability-ai", "stable-diffusion-3.5-large", j => new JsonObject
        {
            ["prompt"] = j.Prompt,
            ["aspect_ratio"] = j.Aspect ?? "1:1",
            ["output_format"] = "png",
        }),
        ["kling-1.6"] = new("kwaivgi", "kling-v1.6-standard", j => new JsonObject
        {
            ["prompt"] = j.Prompt,
            ["aspect_ratio"] = j.Aspect is "9:16" or "3:4" ? "9:16" : j.Aspect is "1:1" ? "1:1" : "16:9",
            // Kling renders 5 or 10 seconds.
            ["duration"] = j.Length is > 7.5 ? 10 : 5,
        }),
        ["minimax-video-01"] = new("minimax", "video-01", j => new JsonObject
        {
            ["prompt"] = j.Prompt,
        }),
    };

}
