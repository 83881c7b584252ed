using Google.Protobuf;
using Grpc.Core;

namespace OpenDesign.Workflows.Temporal.TestServer.Grpc;

// Maps "package.Service/Method" to a typed handler. Handlers are registered with their concrete
// request/response types so each one reads like an ordinary async method.
internal sealed class RpcRouteTable
{
    private readonly Dictionary<string, Func<IMessage, ServerCallContext, Task<IMessage>>> _routes =
        new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Methods => _routes.Keys;

    public RpcRouteTable Map<TRequest, TResponse>(string service, Func<TRequest, ServerCallContext, Task<TResponse>> handler)
        where TRequest : IMessage
        where TResponse : IMessage
    {
        var rpc = typeof(TRequest).Name[..^"Request".Length];
        _routes[$"{service}/{rpc}"] = async (request, context) => await handler((TRequest)request, context);
        return this;
    }

    public RpcRouteTable Map<TRequest, TResponse>(string service, Func<TRequest, TResponse> handler)
        where TRequest : IMessage
        where TResponse : IMessage =>
        Map<TRequest, TResponse>(service, (request, _) => Task.FromResult(handler(request)));

    public bool TryGet(string fullMethodName, out Func<IMessage, ServerCallContext, Task<IMessage>> handler) =>
        _routes.TryGetValue(fullMethodName, out handler!);
}
