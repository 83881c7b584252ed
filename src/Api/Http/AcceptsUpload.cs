namespace OpenDesign.Workflows.Api.Http;

/// <summary>Endpoint metadata: the endpoint takes an upload (raw media bytes or multipart/form-data) as well as JSON.</summary>
public sealed class AcceptsUpload
{
    public static AcceptsUpload Instance { get; } = new();
}

public static class AcceptsUploadExtensions
{
    public static TBuilder AcceptsUploads<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(AcceptsUpload.Instance);
}
