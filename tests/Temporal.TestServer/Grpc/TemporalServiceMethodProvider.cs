using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace OpenDesign.Workflows.Temporal.TestServer.Grpc;

// Binds every unary RPC of the Temporal services to one dispatcher, by reflection over the
// XxxRequest/XxxResponse message pairs that ship inside Temporalio.dll. Why: the service has ~100
// RPCs and no proto files or generated stubs are available; binding them all means an RPC the
// server does not handle answers UNIMPLEMENTED (and is logged) instead of a transport-level 404
// that the SDK reports as an opaque error.
internal sealed class TemporalServiceMethodProvider : IServiceMethodProvider<TemporalGrpcService>
{
    // (gRPC service name, CLR namespace holding its request/response messages).
    internal static readonly (string Service, string MessageNamespace)[] Services =
    [
        ("temporal.api.workflowservice.v1.WorkflowService", "Temporalio.Api.WorkflowService.V1"),
        ("temporal.api.operatorservice.v1.OperatorService", "Temporalio.Api.OperatorService.V1"),
    ];

    private static readonly MethodInfo BindMethod =
        typeof(TemporalServiceMethodProvider).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!;

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TemporalGrpcService> context)
    {
        var assembly = typeof(Temporalio.Api.WorkflowService.V1.StartWorkflowExecutionRequest).Assembly;
        foreach (var (service, ns) in Services)
        {
            var types = assembly.GetTypes().Where(t => t.Namespace == ns && !t.IsNested && typeof(IMessage).IsAssignableFrom(t))
                .ToDictionary(t => t.Name, StringComparer.Ordinal);
            foreach (var request in types.Values.Where(t => t.Name.EndsWith("Request", StringComparison.Ordinal)))
            {
                var rpc = request.Name[..^"Request".Length];
                if (!types.TryGetValue(rpc + "Response", out var response))
                {
                    continue;
                }
                BindMethod.MakeGenericMethod(request, response).Invoke(null, [context, service, rpc]);
            }
        }
    }

    private static void Bind<TRequest, TResponse>(
        ServiceMethodProviderContext<TemporalGrpcService> context, string service, string rpc)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var requestParser = new MessageParser<TRequest>(() => new TRequest());
        var responseParser = new MessageParser<TResponse>(() => new TResponse());
        var method = new Method<TRequest, TResponse>(
            MethodType.Unary,
            service,
            rpc,
            Marshallers.Create(m => m.ToByteArray(), requestParser.ParseFrom),
            Marshallers.Create(m => m.ToByteArray(), responseParser.ParseFrom));
        var fullName = $"{service}/{rpc}";
        context.AddUnaryMethod(
            method,
            [],
            async (endpoint, request, callContext) => (TResponse)await endpoint.InvokeAsync(fullName, request, callContext));
    }
}
