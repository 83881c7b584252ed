namespace OpenDesign.Workflows.Contracts;

/// <summary><c>GET /api/media/models</c>: the models enabled mode can run, in Open Design's shape.</summary>
public sealed record MediaCatalogResponse(
    IReadOnlyList<MediaCatalogProvider> Providers,
    IReadOnlyList<MediaCatalogModel> Image,
    IReadOnlyList<MediaCatalogModel> Video,
    MediaCatalogAudio Audio,
    IReadOnlyList<string> Aspects,
    IReadOnlyList<int> VideoLengthsSec,
    IReadOnlyList<int> AudioDurationsSec);

/// <summary>
/// A provider and whether it can be used. <see cref="Source"/> is <c>env</c>, <c>stored</c> or <c>unset</c>;
/// <see cref="ApiKeyTail"/> is the last four characters of a stored key only. The key itself is never sent.
/// </summary>
public sealed record MediaCatalogProvider(
    string Id,
    string Label,
    bool Integrated,
    string DefaultBaseUrl,
    bool Configured,
    string Source,
    string BaseUrl,
    string? ApiKeyTail = null);

/// <summary>A model; <see cref="Default"/> is written only for the surface's (or audio kind's) default.</summary>
public sealed record MediaCatalogModel(string Id, string Label, string Provider, bool? Default = null);

public sealed record MediaCatalogAudio(
    IReadOnlyList<MediaCatalogModel> Music,
    IReadOnlyList<MediaCatalogModel> Speech,
    IReadOnlyList<MediaCatalogModel> Sfx);
