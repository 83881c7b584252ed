using Microsoft.AspNetCore.Http.HttpResults;
using OpenDesign.Workflows.Activities.Providers;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Catalog;

namespace OpenDesign.Workflows.Api.Endpoints;

internal static class MediaCatalogEndpoints
{
    public static void MapMediaCatalog(this IEndpointRouteBuilder app) =>
        // Admin only, like the other admin GETs: no tool-token grant lists it.
        app.MapGet(ApiRoutes.Media.Models, GetModels).WithTags("Media");

    /// <summary>
    /// The catalog in Open Design's shape, with each provider's credential status read now (a key added to
    /// media-config.json shows at once). Only whether a key is set, its source and a stored key's tail are shown.
    /// </summary>
    internal static Ok<MediaCatalogResponse> GetModels(MediaCredentials credentials)
    {
        var providers = MediaCatalog.Providers.Select(p =>
        {
            var credential = credentials.For(p.Id);
            return new MediaCatalogProvider(p.Id, p.Label, Integrated: true, p.DefaultBaseUrl, credential.Configured, credential.Source,
                credential.BaseUrl, credential.ApiKeyTail);
        }).ToList();
        return TypedResults.Ok(new MediaCatalogResponse(
            providers,
            Models(MediaSurfaces.Image),
            Models(MediaSurfaces.Video),
            new MediaCatalogAudio(Models(MediaSurfaces.Audio, "music"), Models(MediaSurfaces.Audio, "speech"), Models(MediaSurfaces.Audio, "sfx")),
            MediaCatalog.Aspects,
            MediaCatalog.VideoLengthsSec,
            MediaCatalog.AudioDurationsSec));
    }

    private static List<MediaCatalogModel> Models(string surface, string? audioKind = null) =>
        MediaCatalog.Models
            .Where(m => m.Surface == surface && m.AudioKind == audioKind)
            .Select(m => new MediaCatalogModel(m.Id, m.Label, m.Provider, m.IsDefault ? true : null))
            .ToList();
}
