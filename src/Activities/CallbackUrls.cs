using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Activities;

/// <summary>Where an executor calls back for a request: the service's public base URL plus the request's routes.</summary>
public sealed class CallbackUrls(string publicBaseUrl)
{
    private readonly string _base = publicBaseUrl.TrimEnd('/');

    public string Fulfill(string requestId) => _base + ApiRoutes.MediaRequests.FulfillPath(requestId);
    public string Fail(string requestId) => _base + ApiRoutes.MediaRequests.FailPath(requestId);
    public string Progress(string requestId) => _base + ApiRoutes.MediaRequests.ProgressPath(requestId);
}
