using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Namespace.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.Replication.V1;
using Temporalio.Api.WorkflowService.V1;
using OpenDesign.Workflows.Temporal.TestServer.Engine;

namespace OpenDesign.Workflows.Temporal.TestServer.Grpc;

// The RPCs the test server answers, each a one-liner into the engine. Everything not listed here
// is UNIMPLEMENTED (and logged) by TemporalGrpcService.
internal static class TemporalRoutes
{
    private const string Workflow = "temporal.api.workflowservice.v1.WorkflowService";
    private const string Operator = "temporal.api.operatorservice.v1.OperatorService";

    public static RpcRouteTable Build(TemporalEngine engine)
    {
        var routes = new RpcRouteTable();

        // Connection and namespace.
        routes.Map<GetSystemInfoRequest, GetSystemInfoResponse>(Workflow, _ => SystemInfo());
        routes.Map<GetClusterInfoRequest, GetClusterInfoResponse>(Workflow, _ => new GetClusterInfoResponse
        {
            ClusterName = "opendesign-test",
            ClusterId = "opendesign-test",
            ServerVersion = ServerVersion,
            HistoryShardCount = 1,
            VisibilityStore = "memory",
        });
        routes.Map<DescribeNamespaceRequest, DescribeNamespaceResponse>(Workflow, r => DescribeNamespace(engine.RequireNamespace(r.Namespace)));
        routes.Map<ListNamespacesRequest, ListNamespacesResponse>(Workflow, _ =>
        {
            var response = new ListNamespacesResponse();
            response.Namespaces.AddRange(engine.Namespaces.Select(DescribeNamespace));
            return response;
        });
        routes.Map<RegisterNamespaceRequest, RegisterNamespaceResponse>(Workflow, r =>
            engine.TryRegisterNamespace(r.Namespace)
                ? new RegisterNamespaceResponse()
                : throw RpcErrors.WithDetail(global::Grpc.Core.StatusCode.AlreadyExists, "Namespace already exists.", new Temporalio.Api.ErrorDetails.V1.NamespaceAlreadyExistsFailure()));
        routes.Map<GetSearchAttributesRequest, GetSearchAttributesResponse>(Workflow, _ =>
        {
            var response = new GetSearchAttributesResponse();
            foreach (var (name, type) in Visibility.SearchAttributeRegistry.SystemAttributes.Concat(engine.SearchAttributes.Custom))
            {
                response.Keys[name] = type;
            }
            return response;
        });
        routes.Map<ShutdownWorkerRequest, ShutdownWorkerResponse>(Workflow, _ => new ShutdownWorkerResponse());
        routes.Map<ResetStickyTaskQueueRequest, ResetStickyTaskQueueResponse>(Workflow, _ => new ResetStickyTaskQueueResponse());

        // Starting and addressing workflows.
        routes.Map<StartWorkflowExecutionRequest, StartWorkflowExecutionResponse>(Workflow, engine.StartWorkflow);
        routes.Map<SignalWithStartWorkflowExecutionRequest, SignalWithStartWorkflowExecutionResponse>(Workflow, engine.SignalWithStart);
        routes.Map<SignalWorkflowExecutionRequest, SignalWorkflowExecutionResponse>(Workflow, r =>
        {
            engine.Signal(r);
            return new SignalWorkflowExecutionResponse();
        });
        routes.Map<RequestCancelWorkflowExecutionRequest, RequestCancelWorkflowExecutionResponse>(Workflow, r =>
        {
            engine.RequestCancel(r);
            return new RequestCancelWorkflowExecutionResponse();
        });
        routes.Map<TerminateWorkflowExecutionRequest, TerminateWorkflowExecutionResponse>(Workflow, r =>
        {
            engine.Terminate(r);
            return new TerminateWorkflowExecutionResponse();
        });
        routes.Map<QueryWorkflowRequest, QueryWorkflowResponse>(Workflow, (r, c) => engine.QueryWorkflowAsync(r, c.CancellationToken));
        routes.Map<GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse>(Workflow, (r, c) => engine.GetHistoryAsync(r, c.CancellationToken));
        routes.Map<DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse>(Workflow, engine.Describe);
        routes.Map<ListWorkflowExecutionsRequest, ListWorkflowExecutionsResponse>(Workflow, engine.List);
        routes.Map<CountWorkflowExecutionsRequest, CountWorkflowExecutionsResponse>(Workflow, engine.Count);

        // Workflow tasks.
        routes.Map<PollWorkflowTaskQueueRequest, PollWorkflowTaskQueueResponse>(Workflow, (r, c) => engine.PollWorkflowTaskAsync(r, c.CancellationToken));
        routes.Map<RespondWorkflowTaskCompletedRequest, RespondWorkflowTaskCompletedResponse>(Workflow, engine.CompleteWorkflowTask);
        routes.Map<RespondWorkflowTaskFailedRequest, RespondWorkflowTaskFailedResponse>(Workflow, engine.FailWorkflowTask);
        routes.Map<RespondQueryTaskCompletedRequest, RespondQueryTaskCompletedResponse>(Workflow, engine.CompleteQueryTask);

        // Activity tasks.
        routes.Map<PollActivityTaskQueueRequest, PollActivityTaskQueueResponse>(Workflow, (r, c) => engine.PollActivityTaskAsync(r, c.CancellationToken));
        routes.Map<RecordActivityTaskHeartbeatRequest, RecordActivityTaskHeartbeatResponse>(Workflow, r => engine.Heartbeat(r.TaskToken, r.Details));
        routes.Map<RecordActivityTaskHeartbeatByIdRequest, RecordActivityTaskHeartbeatByIdResponse>(Workflow, engine.HeartbeatById);
        routes.Map<RespondActivityTaskCompletedRequest, RespondActivityTaskCompletedResponse>(Workflow, r =>
        {
            engine.CompleteActivity(r.TaskToken, null, r.Result, r.Identity);
            return new RespondActivityTaskCompletedResponse();
        });
        routes.Map<RespondActivityTaskCompletedByIdRequest, RespondActivityTaskCompletedByIdResponse>(Workflow, r =>
        {
            engine.CompleteActivity(null, new ActivityLocator(r.Namespace, r.WorkflowId, r.RunId, r.ActivityId), r.Result, r.Identity);
            return new RespondActivityTaskCompletedByIdResponse();
        });
        routes.Map<RespondActivityTaskFailedRequest, RespondActivityTaskFailedResponse>(Workflow, r =>
        {
            engine.FailActivity(r.TaskToken, null, r.Failure, r.LastHeartbeatDetails, r.Identity);
            return new RespondActivityTaskFailedResponse();
        });
        routes.Map<RespondActivityTaskFailedByIdRequest, RespondActivityTaskFailedByIdResponse>(Workflow, r =>
        {
            engine.FailActivity(null, new ActivityLocator(r.Namespace, r.WorkflowId, r.RunId, r.ActivityId), r.Failure, r.LastHeartbeatDetails, r.Identity);
            return new RespondActivityTaskFailedByIdResponse();
        });
        routes.Map<RespondActivityTaskCanceledRequest, RespondActivityTaskCanceledResponse>(Workflow, r =>
        {
            engine.CancelActivity(r.TaskToken, null, r.Details, r.Identity);
            return new RespondActivityTaskCanceledResponse();
        });
        routes.Map<RespondActivityTaskCanceledByIdRequest, RespondActivityTaskCanceledByIdResponse>(Workflow, r =>
        {
            engine.CancelActivity(null, new ActivityLocator(r.Namespace, r.WorkflowId, r.RunId, r.ActivityId), r.Details, r.Identity);
            return new RespondActivityTaskCanceledByIdResponse();
        });

        // Search attribute registration, so fixtures can use the same set-up call as on a real server.
        routes.Map<AddSearchAttributesRequest, AddSearchAttributesResponse>(Operator, r =>
        {
            foreach (var (name, type) in r.SearchAttributes)
            {
                engine.SearchAttributes.Add(name, type);
            }
            return new AddSearchAttributesResponse();
        });
        routes.Map<ListSearchAttributesRequest, ListSearchAttributesResponse>(Operator, _ =>
        {
            var response = new ListSearchAttributesResponse();
            foreach (var (name, type) in Visibility.SearchAttributeRegistry.SystemAttributes)
            {
                response.SystemAttributes[name] = type;
            }
            foreach (var (name, type) in engine.SearchAttributes.Custom)
            {
                response.CustomAttributes[name] = type;
            }
            return response;
        });
        return routes;
    }

    public const string ServerVersion = "1.27.0+opendesign-test-server";

    // Only capabilities this server honours. Advertising e.g. worker_poll_complete_on_shutdown,
    // worker heartbeats, eager start or Nexus would change what core expects of the server.
    private static GetSystemInfoResponse SystemInfo() => new()
    {
        ServerVersion = ServerVersion,
        Capabilities = new GetSystemInfoResponse.Types.Capabilities
        {
            SignalAndQueryHeader = true,
            InternalErrorDifferentiation = true,
            ActivityFailureIncludeHeartbeat = true,
            EncodedFailureAttributes = true,
            UpsertMemo = true,
            SdkMetadata = true,
        },
    };

    private static DescribeNamespaceResponse DescribeNamespace(NamespaceRecord ns) => new()
    {
        NamespaceInfo = new NamespaceInfo
        {
            Name = ns.Name,
            Id = ns.Id,
            State = NamespaceState.Registered,
            Description = "in-memory namespace of the OpenDesign Temporal test server",
            Capabilities = new NamespaceInfo.Types.Capabilities(),
        },
        Config = new NamespaceConfig { WorkflowExecutionRetentionTtl = Duration.FromTimeSpan(TimeSpan.FromDays(1)) },
        ReplicationConfig = new NamespaceReplicationConfig { ActiveClusterName = "active" },
    };
}
