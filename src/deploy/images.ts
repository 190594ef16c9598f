// The engine's one door to image registries: check an image a deploy will run, build the gateway
// image, push it. The engine context may carry another implementation (tests of the stack engine
// that are not about images); by default it is the real registry code.
import type { Config } from '../../core/config/schema';
import type { ImageBuild } from '../image';
import type { EcrApi } from './aws-clients';
import { buildGatewayImage, pushGatewayImage, type PushedImage, type PushOptions } from './image';
import { checkImage, type ImageCheck } from './image-preflight';
import type { BundlePaths } from './package-root';

export interface GatewayImages {
  check(
    uri: string,
    architecture: Config['taskArchitecture'],
    deps: { ecr: EcrApi; region: string },
  ): Promise<ImageCheck>;
  build(config: Config, paths: BundlePaths): Promise<ImageBuild>;
  push(options: PushOptions): Promise<PushedImage>;
}

export const registryImages: GatewayImages = {
  check: checkImage,
  build: buildGatewayImage,
  push: pushGatewayImage,
};
