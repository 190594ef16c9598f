// The CloudFormation stacks: rendering, offline validation, resource listing and cost estimate.
export {
  DEFAULT_STACK_NAMES,
  STACK_MODES,
  type CfnTemplate,
  type RenderedStack,
  type StackAssets,
  type StackMode,
  type StackParameter,
  type StackResource,
} from './types';
export { buildTemplate, renderStack, stackResources } from './render';
export { parameterName } from './parameters';
export { STATEFUL_RESOURCE_TYPES, STATEFUL_LOSS, isStatefulType } from './stateful';
export { PRODUCT_TAG, STACK_TAG_KEY } from './tags';
export { GATEWAY_PORT, HEALTH_PATH } from './slots';
export { parseCfnYaml } from './yaml';
export { offlineAssets } from './offline-assets';
export { validateStack, validateTemplate, type ValidateTemplateInput } from './validate';
export { TEMPLATE_RULES, type TemplateIssue, type TemplateRule, formatTemplateIssue } from './validate/issue';
export { stackWarnings, STACK_WARNING_CODES, type StackWarning, type StackWarningCode } from './stack-warnings';
export { estimateMonthlyCost, type CostEstimate, type CostLine, type CostOptions } from './cost';
