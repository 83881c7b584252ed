using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Catalog;

/// <summary>A model the service's own providers can run, by its catalog id (the id policies and agents use).</summary>
/// <param name="AudioKind">For audio models: <c>music</c>, <c>speech</c> or <c>sfx</c>; null otherwise.</param>
public sealed record CatalogModel(string Id, string Label, string Provider, string Surface, string? AudioKind = null, bool IsDefault = false);

/// <summary>A provider the service has an adapter for.</summary>
public sealed record CatalogProvider(string Id, string Label, string DefaultBaseUrl);

/// <summary>
/// The models enabled mode can run. Only models one of the service's adapters implements are listed: a catalog entry
/// is a promise that a generate for it can succeed once its provider is configured.
/// </summary>
public static class MediaCatalog
{
    public static IReadOnlyList<CatalogProvider> Providers { get; } =
    [
        new("openai", "OpenAI", "https://api.openai.com/v1"),
        new("replicate", "Replicate", "https://api.replicate.com/v1"),
    ];

    public static IReadOnlyList<CatalogModel> Models { get; } =
    [
        new("gpt-image-2", "GPT Image 2", "openai", MediaSurfaces.Image, IsDefault: true),
        new("gpt-image-1.5", "GPT Image 1.5", "openai", MediaSurfaces.Image),
        new("gpt-image-1", "GPT Image 1", "openai", MediaSurfaces.Image),
        new("gpt-image-1-mini", "GPT Image 1 mini", "openai", MediaSurfaces.Image),
        new("dall-e-3", "DALL-E 3", "openai", MediaSurfaces.Image),
        new("flux-schnell", "FLUX.1 [schnell]", "replicate", MediaSurfaces.Image),
        new("ideogram-v2", "Ideogram v2", "replicate", MediaSurfaces.Image),
        new("sd-3.5", "Stable Diffusion 3.5 Large", "replicate", MediaSurfaces.Image),
        new("sora-2", "Sora 2", "openai", MediaSurfaces.Video, IsDefault: true),
        new("sora-2-pro", "Sora 2 Pro", "openai", MediaSurfaces.Video),
        new("kling-1.6", "Kling 1.6", "replicate", MediaSurfaces.Video),
        new("minimax-video-01", "MiniMax Video-01", "replicate", MediaSurfaces.Video),
        new("gpt-4o-mini-tts", "GPT-4o mini TTS", "openai", MediaSurfaces.Audio, AudioKind: "speech", IsDefault: true),
    ];

    /// <summary>The aspects a generate may ask for (Open Design's list).</summary>
    public static IReadOnlyList<string> Aspects { get; } = ["1:1", "16:9", "9:16", "4:3", "3:4"];

    /// <summary>Video lengths a generate's <c>length</c> is clamped to (Open Design's <c>VIDEO_LENGTHS_SEC</c>).</summary>
    public static IReadOnlyList<int> VideoLengthsSec { get; } = [3, 5, 8, 10, 15, 30];

    /// <summary>Audio durations a generate's <c>duration</c> is clamped to (Open Design's <c>AUDIO_DURATIONS_SEC</c>).</summary>
    public static IReadOnlyList<int> AudioDurationsSec { get; } = [5, 10, 15, 30, 60, 120];

    /// <summary>
    /// The catalog model for a generate: <paramref name="model"/> when it is registered for <paramref name="surface"/>,
    /// the surface's default when no model was named, else null (unknown, or registered for another surface).
    /// </summary>
    public static CatalogModel? Find(string surface, string? model) =>
        model is null
            ? Models.FirstOrDefault(m => m.Surface == surface && m.IsDefault)
            : Models.FirstOrDefault(m => m.Surface == surface && m.Id == model);

    /// <summary>Whether any surface has a model with this id (for checking a policy's <c>allowedModels</c>).</summary>
    public static bool Contains(string model) => Models.Any(m => m.Id == model);
}
