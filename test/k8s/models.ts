// Kubernetes objects checked against the OpenAPI schemas of Kubernetes itself, through the
// kubernetes-models package (tests only).

import { Pod } from "kubernetes-models/v1/Pod";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { ReplicaSet } from "kubernetes-models/apps/v1/ReplicaSet";
import { Job } from "kubernetes-models/batch/v1/Job";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";

type Model = new (data: never) => { validate(): void };
const MODELS: Record<string, Model> = {
  "v1/Pod": Pod as unknown as Model,
  "apps/v1/Deployment": Deployment as unknown as Model,
  "apps/v1/StatefulSet": StatefulSet as unknown as Model,
  "apps/v1/DaemonSet": DaemonSet as unknown as Model,
  "apps/v1/ReplicaSet": ReplicaSet as unknown as Model,
  "batch/v1/Job": Job as unknown as Model,
  "batch/v1/CronJob": CronJob as unknown as Model,
  "v1/ConfigMap": ConfigMap as unknown as Model,
};

/** Throws with the schema's complaint when `obj` is not a valid object of its kind. */
export function validateObject(obj: Record<string, unknown>): void {
  const M = MODELS[`${String(obj.apiVersion)}/${String(obj.kind)}`];
  if (!M) throw new Error(`no model for ${String(obj.apiVersion)} ${String(obj.kind)}`);
  new M(obj as never).validate();
}
