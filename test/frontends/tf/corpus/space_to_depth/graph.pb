
:
xPlaceholder*
shape:*
dtype0
Q
SpaceToDepthSpaceToDepthx*

block_size*
T0*
data_formatNHWC
+
IdentityIdentitySpaceToDepth*
T0"ª